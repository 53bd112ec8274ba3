"""Small helpers every list and detail page uses."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.http import RFC3986_SUBDELIMS

# Stands for a row's value while an address is reversed once for a whole list: plain letters
# and digits for the str and slug converters, digits alone for int.
_SLOTS = ("0slot0", "9876543210")


def paginate(
    request: HttpRequest,
    qs,
    per_page: int | None = None,
    *,
    shown: Callable | None = None,
    cut_from: QuerySet | None = None,
) -> Page:
    """A page of `qs`. With `shown`, `qs` only selects and orders, and `shown(queryset)` adds what
    a line of the list shows, for the page's rows alone (see `CutOnIds`)."""
    rows = qs if shown is None else CutOnIds(qs, shown, cut_from)
    paginator = Paginator(rows, per_page or settings.SALESDESK["PAGE_SIZE"])
    return paginator.get_page(request.GET.get("page"))


class CutOnIds:
    """A list that counts like `qs` and, sliced, cuts on ids first, then reads the slice's rows
    with what `shown` adds.

    A database sorts before it cuts. Cutting a list that carries a subquery and three joins per
    row, it worked all of them out for every row that matched: an order search naming a city read
    47,000 orders to show 25. The ids alone come from an index; only the page's rows are read.

    `cut_from` is the same rows asked for another way, for cutting the page where counting and
    cutting want different plans (`core.db.CheckedInOrder`).
    """

    def __init__(self, qs: QuerySet, shown: Callable[[QuerySet], QuerySet], cut_from: QuerySet | None = None):
        self.qs, self.shown = qs, shown
        self.cut_from = qs if cut_from is None else cut_from

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, cut: slice) -> list:
        ids = list(self.cut_from.values_list("pk", flat=True)[cut])
        found = {row.pk: row for row in self.shown(self.qs.model._default_manager.filter(pk__in=ids))}
        return [found[pk] for pk in ids if pk in found]  # a row deleted between the two reads is left out


def require_perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def url_for_each(viewname: str) -> Callable[[object], str]:
    """`reverse(viewname, args=[value])` for each row of a long list, with the pattern resolved once.

    A `{% url %}` per row reverses the pattern again each time: for the collection list's 1,278
    customers that was a third of the page. The address is reversed once with a stand-in, and
    each value is quoted into its place as `reverse` would quote it.
    """
    for slot in _SLOTS:
        try:
            prefix, suffix = reverse(viewname, args=[slot]).split(slot)
            break
        except NoReverseMatch:  # an int converter refuses letters
            continue
    else:
        raise NoReverseMatch(f"url_for_each: no stand-in fits {viewname}")
    return lambda value: f"{prefix}{quote(str(value), safe=RFC3986_SUBDELIMS + '~:@')}{suffix}"
