"""一件事 (bundles): several departments' items applied for as one (R-BD, R-CS-9, R-PL-7)."""
