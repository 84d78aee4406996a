"""The webinars repository as the use cases see it (implemented in storage/repositories/webinars.py)."""

from __future__ import annotations

from typing import Protocol


class WebinarRepository(Protocol):
    """Filled with the methods the webinars use cases call."""
