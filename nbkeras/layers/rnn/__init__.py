"""Recurrent layers: SimpleRNN, LSTM, GRU, Bidirectional and TimeDistributed."""
