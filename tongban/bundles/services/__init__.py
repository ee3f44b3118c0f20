"""Writes of bundles: one service per transition (CONVENTIONS 4)."""
