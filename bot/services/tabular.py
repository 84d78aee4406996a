"""Transitional: the equipment command line and the webinar attendance import still read their
files through these names. File reading lives in `bot.tables` (the caller's side);
a use case takes a `bot.domain.directory_import.Table`. Delete this module once nothing imports it."""

from __future__ import annotations

from bot.domain.directory_import import Table
from bot.tables import UnreadableFile, load_table, read_table

__all__ = ["Table", "UnreadableFile", "load_table", "read_table"]
