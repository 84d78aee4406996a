"""The approvals repository as the use cases see it (implemented in storage/repositories/approvals.py)."""

from __future__ import annotations

from typing import Protocol


class ApprovalRepository(Protocol):
    """Filled with the methods the approvals use cases call."""


class ApprovalSubject(Protocol):
    """What an area that needs a manager's yes (home-work days, equipment) tells the approvals."""

    subject_type: str
