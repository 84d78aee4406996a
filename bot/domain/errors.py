"""Typed domain errors; flows turn them into localized text via their `key` and `params`."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request. `key` is an i18n key, `params` fill its placeholders."""

    key: str = "common.invalid_input"

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)


class NotFound(DomainError):
    key = "common.stale_card"


class Forbidden(DomainError):
    """The actor's role does not allow the action (always audited by the caller)."""

    key = "common.not_allowed"


class Conflict(DomainError):
    """The state changed since the card was drawn (stale card, double click)."""

    key = "common.stale_card"


class InvalidInput(DomainError):
    key = "common.invalid_input"
