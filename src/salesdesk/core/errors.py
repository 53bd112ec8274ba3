"""Errors a business action raises when a rule says no.

Pages show them beside the field they name; the API turns them into a 4xx answer in
`salesdesk.api`. Messages are translatable and say what to do next.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the action. Nothing was written."""

    status_code = 400

    def __init__(self, message, *, code: str = "invalid", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field

    def as_errors(self) -> list[dict[str, str]]:
        return [{"field": self.field or "__all__", "message": str(self.message)}]


class FieldErrors(DomainError):
    """Several fields are wrong at once (a form-style answer)."""

    def __init__(self, errors: dict[str, list[str]], message=None):
        super().__init__(message or _("Please correct the fields marked below."), code="invalid")
        self.errors = errors

    def as_errors(self) -> list[dict[str, str]]:
        return [
            {"field": field, "message": str(msg)}
            for field, messages in self.errors.items()
            for msg in messages
        ]


class Conflict(DomainError):
    """The action clashes with the current state (already done, changed meanwhile)."""

    status_code = 409


class NotAllowed(DomainError):
    """The user lacks the permission this action needs."""

    status_code = 403


def field_errors_from_validation(exc) -> FieldErrors:
    """Turn Django's ValidationError into our field-error shape."""
    if hasattr(exc, "message_dict"):
        return FieldErrors({k: list(v) for k, v in exc.message_dict.items()})
    return FieldErrors({"__all__": list(exc.messages)})
