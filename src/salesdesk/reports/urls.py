from django.urls import include, path

app_name = "reports"
# The reports with their exports and print views; the charts drawn from the same figures.
urlpatterns = [
    path("charts/", include("salesdesk.reports.urls_charts")),
    path("", include("salesdesk.reports.urls_reports")),
]
