"""The homework repository as the use cases see it (implemented in storage/repositories/homework.py)."""

from __future__ import annotations

from typing import Protocol


class RegistrationRepository(Protocol):
    """Filled with the methods the homework use cases call."""
