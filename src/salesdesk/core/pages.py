"""Small helpers every list and detail page uses."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, qs, per_page: int | None = None) -> Page:
    paginator = Paginator(qs, per_page or settings.SALESDESK["PAGE_SIZE"])
    return paginator.get_page(request.GET.get("page"))


def require_perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
