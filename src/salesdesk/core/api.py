"""Small pieces every app's API router uses: the permission check, row-id path parameters,
and naming refused fields as the request sent them."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path

from salesdesk.core.errors import DomainError, FieldErrors, NotAllowed

# Ids are positive and fit a bigint: anything else cannot name a row and is refused unread.
RowId = Path(..., ge=1, le=2**62)


def require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise NotAllowed(_("You do not have permission to do this."))


def _sent_name(field: str, renames: dict[str, str]) -> str:
    field = re.sub(r"\[(\d+)\]", r".\1", field)  # lines[0].quantity → lines.0.quantity, as 422s say
    return renames.get(field, field)


@contextmanager
def fields_as_sent(renames: dict[str, str] | None = None) -> Iterator[None]:
    """Name a service's refusal by the field as the request sent it, not as the service calls it."""
    renames = renames or {}
    try:
        yield
    except FieldErrors as exc:
        exc.errors = {_sent_name(field, renames): messages for field, messages in exc.errors.items()}
        raise
    except DomainError as exc:
        exc.field = _sent_name(exc.field, renames) if exc.field else exc.field
        raise
