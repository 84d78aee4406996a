"""Files the bot produces: the parliamentary report (its sheets as tables, written as xlsx or CSV;
`delivery` builds it after the turn and brings it to the requester's chat), a person's own data
export and the payroll export."""
