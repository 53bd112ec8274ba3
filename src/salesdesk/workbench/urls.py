from django.urls import path

from salesdesk.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("reminders/<int:pk>/done/", views.reminder_done, name="reminder-done"),
]
