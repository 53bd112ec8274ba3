from django.contrib import admin
from django.urls import include, path

from salesdesk.api import api
from salesdesk.core import views as core_views

urlpatterns = [
    path("", include("salesdesk.workbench.urls")),
    path("login/", core_views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", core_views.logout_view, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", include("salesdesk.customers.urls")),
    path("catalog/", include("salesdesk.catalog.urls")),
    path("calls/", include("salesdesk.calls.urls")),
    path("orders/", include("salesdesk.orders.urls")),
    path("warehouse/", include("salesdesk.warehouse.urls")),
    path("receivables/", include("salesdesk.receivables.urls")),
    path("commissions/", include("salesdesk.commissions.urls")),
    path("reports/", include("salesdesk.reports.urls")),
    path("settings/", include("salesdesk.core.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
