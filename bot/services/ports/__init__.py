"""What the use cases need from storage, as protocols: `storage/` implements them with
SQLAlchemy, `tests/fakes/` in memory. One module per area, named like the repository attribute
on the unit of work."""
