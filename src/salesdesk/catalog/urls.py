from django.urls import path

from salesdesk.catalog import views, views_io

app_name = "catalog"
urlpatterns = [
    path("products/", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/import/", views_io.product_import, name="product-import"),
    path("products/export.xlsx", views_io.product_export, name="product-export"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("prices/", views.price_list, name="price-list"),
    path("prices/import/", views_io.price_import, name="price-import"),
    path("prices/export.xlsx", views_io.price_export, name="price-export"),
    path("rebates/", views.rebate_list, name="rebate-list"),
    path("rebates/export.xlsx", views_io.rebate_export, name="rebate-export"),
    path("customers/<str:code>/prices/", views.customer_prices, name="customer-prices"),
    path("customers/<str:code>/prices/new/", views.price_create, name="price-create"),
    path("customers/<str:code>/rebates/new/", views.rebate_create, name="rebate-create"),
    path("carriers/", views.carrier_list, name="carrier-list"),
    path("carriers/new/", views.carrier_create, name="carrier-create"),
    path("carriers/<int:pk>/", views.carrier_detail, name="carrier-detail"),
    path("carriers/<int:pk>/suspend/", views.carrier_suspend, name="carrier-suspend"),
    path("carriers/<int:pk>/reinstate/", views.carrier_reinstate, name="carrier-reinstate"),
]
