from django.urls import path

from salesdesk.calls import views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="call-list"),
    path("new/", views.call_create, name="call-create"),
    path("<int:pk>/", views.call_detail, name="call-detail"),
    path("<int:pk>/follow-ups/", views.follow_up_raise, name="follow-up-raise"),
    path("<int:pk>/customer/", views.call_to_customer, name="call-to-customer"),
    path("follow-ups/", views.follow_up_list, name="follow-up-list"),
    path("follow-ups/<int:pk>/resolve/", views.follow_up_resolve, name="follow-up-resolve"),
]
