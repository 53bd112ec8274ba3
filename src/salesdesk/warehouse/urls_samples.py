from django.urls import path

from salesdesk.warehouse import views_samples as views

urlpatterns = [
    path("", views.sample_list, name="sample-list"),
    path("new/", views.sample_create, name="sample-create"),
    path("<int:pk>/", views.sample_detail, name="sample-detail"),
    path("<int:pk>/send/", views.sample_send, name="sample-send"),
    path("<int:pk>/dispatch/", views.sample_dispatch, name="sample-dispatch"),
    path("<int:pk>/deliver/", views.sample_deliver, name="sample-deliver"),
    path("<int:pk>/cancel/", views.sample_cancel, name="sample-cancel"),
]
