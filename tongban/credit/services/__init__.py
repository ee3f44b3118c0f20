"""Every write of credit (CONVENTIONS 2): records, lists, penalties, repairs, commitments."""
