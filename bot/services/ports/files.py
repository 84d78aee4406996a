"""The files repository as the use cases see it (implemented in storage/repositories/files.py)."""

from __future__ import annotations

from typing import Protocol


class PendingFileRepository(Protocol):
    """Filled with the methods the files use cases call."""
