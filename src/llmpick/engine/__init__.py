"""The engine: requirements, hard constraints, scoring rules, ranking and memory sizing.
Plain functions over catalog records; nothing here prints."""
