"""What a page or an export shows for one View: URL state, map, report, tables."""
