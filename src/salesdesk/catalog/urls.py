from django.urls import path

from salesdesk.catalog import views

app_name = "catalog"
urlpatterns = [
    path("products/", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("prices/", views.price_list, name="price-list"),
    path("rebates/", views.rebate_list, name="rebate-list"),
    path("customers/<str:code>/prices/", views.customer_prices, name="customer-prices"),
    path("customers/<str:code>/prices/new/", views.price_create, name="price-create"),
    path("customers/<str:code>/rebates/new/", views.rebate_create, name="rebate-create"),
    path("carriers/", views.carrier_list, name="carrier-list"),
    path("carriers/new/", views.carrier_create, name="carrier-create"),
    path("carriers/<int:pk>/", views.carrier_detail, name="carrier-detail"),
    path("carriers/<int:pk>/suspend/", views.carrier_suspend, name="carrier-suspend"),
    path("carriers/<int:pk>/reinstate/", views.carrier_reinstate, name="carrier-reinstate"),
]
