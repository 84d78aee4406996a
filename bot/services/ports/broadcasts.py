"""The broadcasts repository as the use cases see it (implemented in storage/repositories/broadcasts.py)."""

from __future__ import annotations

from typing import Protocol


class BroadcastRepository(Protocol):
    """Filled with the methods the broadcasts use cases call."""
