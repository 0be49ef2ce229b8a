"""Preprocessing layers: Keras 3's normalization, image, categorical and text layers."""
