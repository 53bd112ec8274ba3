from django.urls import path

from salesdesk.receivables import views_documents as views

# Mounted at /receivables/documents/: invoices, receipt slips, statements, month-end, collection.
urlpatterns = [
    path("invoices/", views.invoice_due, name="invoice-due"),
    path("invoices/all/", views.invoice_list, name="invoice-list"),
    path("invoices/new/<str:code>/", views.invoice_create, name="invoice-create"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice-detail"),
    path("invoices/<int:pk>/mail/", views.invoice_mail, name="invoice-mail"),
    path("invoices/<int:pk>/received/", views.invoice_received, name="invoice-received"),
    path("slips/", views.slip_list, name="slip-list"),
    path("slips/new/<str:number>/", views.slip_create, name="slip-create"),
    path("slips/<str:number>.pdf", views.slip_pdf, name="slip-pdf"),
    path("slips/<str:number>/", views.slip_detail, name="slip-detail"),
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/new/<str:code>/", views.statement_create, name="statement-create"),
    path("statements/<str:number>.pdf", views.statement_pdf, name="statement-pdf"),
    path("statements/<str:number>.xlsx", views.statement_xlsx, name="statement-xlsx"),
    path("statements/<str:number>/", views.statement_detail, name="statement-detail"),
    path("statements/<str:number>/sent/", views.statement_sent, name="statement-sent"),
    path("statements/<str:number>/signed/", views.statement_signed, name="statement-signed"),
    path("month-end/", views.month_end, name="month-end"),
    path("month-end.xlsx", views.month_end_xlsx, name="month-end-xlsx"),
    path("collection/", views.collection, name="collection"),
]
