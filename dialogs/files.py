"""Files sent to the user: the answer to a Teams file consent card.

1. A flow calls `bot.files.send_file`, which shows a file consent card.
2. The user's accept or decline arrives as `fileConsent/invoke`, handled by `bot.files`.
"""

from __future__ import annotations

from bot.files import FILE_CONSENT, handle_file_consent
from bot.registry import Registry


def register(registry: Registry) -> None:
    router = registry.router
    router.invoke(FILE_CONSENT, handle_file_consent)
