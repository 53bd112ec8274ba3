"""Customer lists to and from Excel: the import pages and the export download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from salesdesk.core.imports import import_page
from salesdesk.core.pages import require_perm
from salesdesk.core.roles import sees_prices
from salesdesk.core.spreadsheets import xlsx_response
from salesdesk.customers import imports, selectors
from salesdesk.customers.forms import CustomerFilterForm

AREA = {"active_area": "customers"}


def customer_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request,
        imports.CustomerImport(user=request.user),
        template="customers/customer_import.html",
        done_url=reverse("customers:customer-list"),
        context=AREA,
    )


def customer_export(request: HttpRequest) -> HttpResponse:
    """The customers the list page shows with the same filters, every page of them."""
    require_perm(request, "customers.view_customer")
    form = CustomerFilterForm(request.GET or None)
    filters = selectors.CustomerFilter(**form.cleaned_data) if form.is_valid() else selectors.CustomerFilter()
    customers = selectors.customer_list(user=request.user, filters=filters)
    columns = imports.export_columns(with_money=sees_prices(request.user))
    today = timezone.localdate()
    return xlsx_response(
        filename=f"客户资料-{today:%Y%m%d}.xlsx",
        fallback_filename=f"customers-{today:%Y%m%d}.xlsx",
        title="客户资料",
        columns=columns,
        rows=imports.export_rows(customers, columns),
    )
