from django.urls import path

from salesdesk.commissions import views

app_name = "commissions"
urlpatterns = [
    path("", views.accrual_list, name="accrual-list"),
    path("missed/", views.missed, name="missed"),
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/build/", views.statement_build, name="statement-build"),
    path("statements/<str:number>.xlsx", views.statement_xlsx, name="statement-xlsx"),
    path("statements/<str:number>/", views.statement_detail, name="statement-detail"),
    path("statements/<str:number>/approve/", views.statement_approve, name="statement-approve"),
    path("statements/<str:number>/send-back/", views.statement_send_back, name="statement-send-back"),
    path("statements/<str:number>/pay/", views.statement_pay, name="statement-pay"),
    path("statements/<str:number>/confirm/", views.statement_confirm, name="statement-confirm"),
]
