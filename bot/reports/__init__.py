"""Output of the parliamentary report: the sheets as tables, written as xlsx or CSV."""
