"""Tongban (通办): an integrated government-service platform."""

__version__ = "0.1.0"
