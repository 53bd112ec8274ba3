from django.urls import path

from salesdesk.warehouse import views

# The header's "Warehouse" link leads to the queue: the warehouse's day starts there.
urlpatterns = [
    path("", views.queue, name="queue"),
    path("orders/<str:ref>/ship/", views.order_ship, name="order-ship"),
    path("orders/<str:ref>/shipments/", views.order_shipments, name="order-shipments"),
    path("stock/", views.stock_list, name="stock-list"),
    path("stock/inbound/", views.inbound, name="stock-inbound"),
    path("stock/adjust/", views.adjust, name="stock-adjust"),
    path("stock/<int:pk>/", views.stock_moves, name="stock-moves"),
    path("production/", views.production_list, name="production-list"),
    path("production/<int:pk>/confirm/", views.production_confirm, name="production-confirm"),
    path("production/<int:pk>/receive/", views.production_receive, name="production-receive"),
    path("outbounds/", views.outbound_list, name="outbound-list"),
    path("outbounds/<str:ref>/", views.outbound_detail, name="outbound-detail"),
    path("outbounds/<str:ref>/delivery-note.pdf", views.delivery_note, name="delivery-note"),
]
