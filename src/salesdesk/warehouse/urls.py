from django.urls import include, path

app_name = "warehouse"
# Three areas of the warehouse, each in its own module: stock and posting, shipping
# (courier log, COD, end of day), samples.
urlpatterns = [
    path("", include("salesdesk.warehouse.urls_stock")),
    path("shipping/", include("salesdesk.warehouse.urls_shipping")),
    path("samples/", include("salesdesk.warehouse.urls_samples")),
]
