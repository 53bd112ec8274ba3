from django.urls import path

from salesdesk.receivables import views

# Mounted at /receivables/: the ledger, customers' accounts, receipts, finance's lists, COD money.
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.ledger_export, name="ledger-export"),
    path("customers/<str:code>/", views.customer_ar, name="customer-ar"),
    path("receipts/", views.receipt_list, name="receipt-list"),
    path("receipts/new/", views.receipt_create, name="receipt-create"),
    path("receipts/for-finance/", views.finance_list, name="finance-list"),
    path("receipts/<str:number>/", views.receipt_detail, name="receipt-detail"),
    path("receipts/<str:number>/check/", views.receipt_check, name="receipt-check"),
    path(
        "receipts/<str:number>/reached-finance/",
        views.receipt_reached_finance,
        name="receipt-reached-finance",
    ),
    path("cod/", views.cod_list, name="cod-list"),
    path("cod/<int:pk>/receive/", views.cod_receive, name="cod-receive"),
]
