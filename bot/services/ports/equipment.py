"""The equipment repository as the use cases see it (implemented in storage/repositories/equipment.py)."""

from __future__ import annotations

from typing import Protocol


class EquipmentRepository(Protocol):
    """Filled with the methods the equipment use cases call."""
