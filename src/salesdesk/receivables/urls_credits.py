from django.urls import path

from salesdesk.receivables import views_credits as views

urlpatterns = [
    path("", views.credit_list, name="credit-list"),
    path("returns/<str:ref>/", views.return_create, name="return-create"),
    path("write-offs/new/<str:code>/", views.write_off_create, name="write-off-create"),
    path("write-offs/<int:pk>/", views.write_off_detail, name="write-off-detail"),
    path("write-offs/<int:pk>/approve/", views.write_off_approve, name="write-off-approve"),
    path("write-offs/<int:pk>/reject/", views.write_off_reject, name="write-off-reject"),
]
