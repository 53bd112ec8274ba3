"""Small pieces every app's API router uses: the permission check, row-id path parameters,
naming refused fields as the request sent them, and OpenAPI links between operations."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path

from salesdesk.core.errors import DomainError, FieldErrors, NotAllowed

# Ids are positive and fit a bigint: anything else cannot name a row and is refused unread.
RowId = Path(..., ge=1, le=2**62)


def require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise NotAllowed(_("You do not have permission to do this."))


def links(status: int, **targets: dict[str, str]) -> dict[str, Any]:
    """`openapi_extra` for an operation whose `status` answer leads on to other operations.

    Each keyword is a target's operationId without the leading "salesdesk_" (e.g.
    orders_api_order_register); its value maps the target's path parameters to the answer's fields
    they come from ("0/number" reads the first item of a list). A client, or a stateful test, can
    then follow a new order to its registration without guessing its reference.
    """
    return {
        "responses": {
            status: {
                "links": {
                    name: {
                        "operationId": f"salesdesk_{name}",
                        "parameters": {param: f"$response.body#/{field}" for param, field in fields.items()},
                    }
                    for name, fields in targets.items()
                }
            }
        }
    }


def file_answer(media_type: str, description: str) -> dict[str, Any]:
    """`openapi_extra` documenting a 200 that is a file rather than JSON, which ninja cannot infer."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


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
