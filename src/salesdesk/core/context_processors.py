from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from salesdesk.core.roles import role_of, sees_prices

# The areas of the header, in the order a day's work flows. An area whose app is not
# installed yet is shown greyed out rather than leading to an empty page.
AREAS = [
    ("workbench", _("Workbench"), "workbench:home"),
    ("customers", _("Customers"), "customers:customer-list"),
    ("orders", _("Orders"), "orders:order-list"),
    ("warehouse", _("Warehouse"), "warehouse:queue"),
    ("receivables", _("Receivables"), "receivables:ledger"),
    ("commissions", _("Commissions"), "commissions:accrual-list"),
    ("reports", _("Reports"), "reports:index"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"company_name": settings.SALESDESK["COMPANY_NAME"]}
    areas = []
    for key, label, url_name in AREAS:
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
