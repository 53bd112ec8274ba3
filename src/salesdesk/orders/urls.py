from django.urls import path

from salesdesk.orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="order-list"),
    path("new/", views.order_create, name="order-create"),
    path("repeat/", views.order_repeat, name="order-repeat"),
    path("parse/", views.order_parse, name="order-parse"),
    path("customer-panel/", views.customer_panel, name="customer-panel"),
    path("find/", views.order_find, name="order-find"),
    path("register/", views.sales_register, name="sales-register"),
    path("register/export.xlsx", views.sales_register_export, name="sales-register-export"),
    path("<str:ref>/", views.order_detail, name="order-detail"),
    path("<str:ref>/edit/", views.order_edit, name="order-edit"),
    path("<str:ref>/register/", views.order_register, name="order-register"),
    path("<str:ref>/override/", views.order_override, name="order-override"),
    path("<str:ref>/review/", views.order_review_again, name="order-review-again"),
    path("<str:ref>/release/", views.order_release, name="order-release"),
    path("<str:ref>/cancel/", views.order_cancel, name="order-cancel"),
    path("<str:ref>/ship-in-parts/", views.order_ship_in_parts, name="order-ship-in-parts"),
    path("<str:ref>/tracking/", views.order_tracking, name="order-tracking"),
]
