"""The whole-sequence recurrent kernels on the GPU: declined, so the op launches the step
kernels of `nbkeras.backend.cuda.rnn` for each time step (a time loop inside one launch would
be a persistent kernel). Same names and arguments as `nbkeras.backend.cpu.rnn_sequence`."""

__all__ = ["rnn_sequence_forward", "rnn_sequence_backward"]


def rnn_sequence_forward(kind, xp, bi, u, b, h, c, m, act, ract, gates, r):
    """The GPU leaves the time loop to the op, which launches the step kernels of `cuda.rnn` for
    each step (a loop inside one launch would be a persistent kernel); returns False."""
    return False


def rnn_sequence_backward(kind, dh, dc, dout, ut, gates, r, h, c, m, act, ract, dxp, dr):
    """As `rnn_sequence_forward`: the op runs the backward steps; returns False."""
    return False
