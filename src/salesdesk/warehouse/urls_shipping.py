from django.urls import path

from salesdesk.warehouse import views_shipping as views

# Mounted at /warehouse/shipping/: the courier log (快递记录本) and the day's checks.
urlpatterns = [
    path("", views.courier_log, name="courier-log"),
    path("export.xlsx", views.courier_log_export, name="courier-log-export"),
    path("outbounds/<str:ref>/new/", views.shipment_create, name="shipping-create"),
    path("orders/<str:ref>/panel/", views.shipping_order_panel, name="shipping-order-panel"),
    path("<int:pk>/cod-returned/", views.shipment_cod_returned, name="shipping-cod-returned"),
    path("<int:pk>/note-returned/", views.shipment_note_returned, name="shipping-note-returned"),
    path("overdue/", views.carriers_flagged, name="carriers-flagged"),
    path("end-of-day/", views.end_of_day, name="end-of-day"),
    path("end-of-day/plan/", views.end_of_day_plan, name="end-of-day-plan"),
    path("next-morning/", views.next_morning, name="next-morning"),
]
