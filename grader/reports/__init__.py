"""Reports for people and programs: terminal tables, JSON and CSV."""
