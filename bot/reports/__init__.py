"""Output of the reports as files: the parliamentary report (sheets as tables, written as xlsx
or CSV) and the payroll export."""
