"""The allowances repository as the use cases see it (implemented in storage/repositories/allowances.py)."""

from __future__ import annotations

from typing import Protocol


class AllowanceRepository(Protocol):
    """Filled with the methods the allowances use cases call."""
