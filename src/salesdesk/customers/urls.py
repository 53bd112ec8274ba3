from django.urls import path

from salesdesk.customers import views, views_io

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("new/", views.customer_create, name="customer-create"),
    # Before "<str:code>/", which would otherwise take "import" for a customer code.
    path("import/", views_io.customer_import, name="customer-import"),
    path("export.xlsx", views_io.customer_export, name="customer-export"),
    path("<str:code>/", views.customer_detail, name="customer-detail"),
    path("<str:code>/edit/", views.customer_edit, name="customer-edit"),
    path(
        "<str:code>/credit-applications/", views.credit_application_submit, name="credit-application-submit"
    ),
    path(
        "credit-applications/<int:pk>/decide/",
        views.credit_application_decide,
        name="credit-application-decide",
    ),
]
