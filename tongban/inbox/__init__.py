"""站内信: every message the platform sent a person, read and unread (issue 14, item 5)."""
