"""Small, documented patches to the Bot Framework SDK's dependencies, applied once by create_app.

msrest 0.7.1 builds the urllib3 retry status list in `ClientRetryPolicy.__init__` by testing each
of range(999) against a 502-item list: about 3 ms of CPU per policy. Every connector client and
every user-token client gets one, and CloudAdapter creates both for every turn and every proactive
continuation, so a reply costs ~6 ms of CPU before any I/O. The patch computes the same list once
and hands each policy its own copy; retry behaviour is unchanged (same codes, counts and backoff).
"""

from __future__ import annotations

from msrest.universal_http import requests as msrest_requests
from urllib3 import Retry

_PATCHED_FLAG = "_hybridwork_patched"

# The exact list msrest computes: every status below 999 that is not "safe" (408, 500, 502-504, 506-998).
_RETRY_CODES: tuple[int, ...] = tuple(
    code for code in range(999) if code not in frozenset(msrest_requests.ClientRetryPolicy.safe_codes)
)


def _fast_init(self: msrest_requests.ClientRetryPolicy) -> None:
    self.policy = Retry()
    self.policy.total = 3
    self.policy.connect = 3
    self.policy.read = 3
    self.policy.backoff_factor = 0.8
    self.policy.BACKOFF_MAX = 90
    self.policy.status_forcelist = list(_RETRY_CODES)
    self.policy.method_whitelist = ["HEAD", "TRACE", "GET", "PUT", "OPTIONS", "DELETE", "POST", "PATCH"]


def apply_sdk_patches() -> None:
    """Idempotent; safe to call for every app created in a process."""
    policy = msrest_requests.ClientRetryPolicy
    if getattr(policy, _PATCHED_FLAG, False):
        return
    policy.__init__ = _fast_init  # type: ignore[method-assign]
    setattr(policy, _PATCHED_FLAG, True)
