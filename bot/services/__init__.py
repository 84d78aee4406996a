"""Use cases: one transaction each, through a unit of work; they raise typed domain errors."""
