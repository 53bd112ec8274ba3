from django.urls import path

from salesdesk.core import views

app_name = "core"
urlpatterns = [
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/grants/", views.user_grants, name="user-grants"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:pk>/remove/", views.calendar_remove, name="calendar-remove"),
]
