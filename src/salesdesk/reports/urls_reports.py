from django.urls import path

from salesdesk.reports import views

# Mounted at /reports/ in the "reports" namespace.
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:name>.xlsx", views.report_xlsx, name="report-xlsx"),
    path("<slug:name>/print/", views.report_print, name="report-print"),
    path("<slug:name>/", views.report_page, name="report"),
]
