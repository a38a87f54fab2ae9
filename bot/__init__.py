"""Kompis: a learning companion bot for leadership programmes in digital transformation."""

__version__ = "0.1.0"
