"""All tables; importing this package registers every model on Base.metadata."""

from storage.models import (  # noqa: F401  (importing registers the tables)
    allowances,
    approvals,
    broadcasts,
    directory,
    equipment,
    files,
    homework,
    outbox,
    privacy,
    registration_changes,
    report_versions,
    webinars,
)
from storage.models.base import Base

__all__ = ["Base"]
