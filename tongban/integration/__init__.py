"""The integration of departments' business systems (R-PL-4, "no second data entry")."""
