"""Files sent to the user: the answer to a Teams file consent card, and the link fallback.

1. A flow calls `bot.files.send_file`, which shows a file consent card (or sends a link).
2. The user's accept or decline arrives as `fileConsent/invoke`, handled by `bot.files`.
3. A declined or too large file is fetched through a signed link (download kind `files.pending`).
"""

from __future__ import annotations

from bot.files import FILE_CONSENT, PENDING_FILE_KIND, handle_file_consent, produce_pending
from bot.registry import Registry


def register(registry: Registry) -> None:
    registry.router.invoke(FILE_CONSENT, handle_file_consent)
    registry.download(PENDING_FILE_KIND, produce_pending)
