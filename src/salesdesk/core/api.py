"""Small pieces every app's API router uses: the permission check and row-id path parameters."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path

from salesdesk.core.errors import NotAllowed

# Ids are positive and fit a bigint: anything else cannot name a row and is refused unread.
RowId = Path(..., ge=1, le=2**62)


def require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise NotAllowed(_("You do not have permission to do this."))
