"""API plumbing shared by every app's ``api.py`` (DESIGN §6)."""
