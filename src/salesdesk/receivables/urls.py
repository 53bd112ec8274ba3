from django.urls import include, path

app_name = "receivables"
# Three areas, each in its own module: the ledger and receipts; returns, exchanges and
# write-offs; the papers that go to customers (invoices, receipt slips, statements, month-end).
urlpatterns = [
    path("", include("salesdesk.receivables.urls_receipts")),
    path("credits/", include("salesdesk.receivables.urls_credits")),
    path("documents/", include("salesdesk.receivables.urls_documents")),
]
