"""The privacy repository as the use cases see it (implemented in storage/repositories/privacy.py)."""

from __future__ import annotations

from typing import Protocol


class PrivacyRepository(Protocol):
    """Filled with the methods the privacy use cases call."""
