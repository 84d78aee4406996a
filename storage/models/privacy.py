"""privacy tables (owned by that flow)."""

from __future__ import annotations
