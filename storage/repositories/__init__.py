"""Repositories: the only code that issues SQL; they return domain objects."""
