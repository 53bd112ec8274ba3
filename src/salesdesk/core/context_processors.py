from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from salesdesk.core.roles import role_of, sees_prices

# The areas of the header, in the order a day's work flows, with the permission an area
# needs (the warehouse has no business in the money areas). An area whose app is not
# installed yet is shown greyed out rather than leading to an empty page.
AREAS = [
    ("workbench", _("Workbench"), "workbench:home", None),
    ("customers", _("Customers"), "customers:customer-list", None),
    ("orders", _("Orders"), "orders:order-list", None),
    ("warehouse", _("Warehouse"), "warehouse:queue", None),
    ("receivables", _("Receivables"), "receivables:ledger", "receivables.view_receipt"),
    ("commissions", _("Commissions"), "commissions:accrual-list", "commissions.view_commissionaccrual"),
    ("reports", _("Reports"), "reports:index", None),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"company_name": settings.SALESDESK["COMPANY_NAME"]}
    areas = []
    for key, label, url_name, permission in AREAS:
        if permission and not user.has_perm(permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None
        areas.append({"key": key, "label": label, "url": url})
    role = role_of(user)
    return {
        "company_name": settings.SALESDESK["COMPANY_NAME"],
        "nav_areas": areas,
        "user_role": role,
        "user_role_label": role.label if role else "",
        "user_sees_prices": sees_prices(user),
    }
