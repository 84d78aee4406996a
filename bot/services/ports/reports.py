"""The reports repository as the use cases see it (implemented in storage/repositories/reports.py)."""

from __future__ import annotations

from typing import Protocol


class ReportRepository(Protocol):
    """Filled with the methods the reports use cases call."""
