from django.urls import path

from salesdesk.reports import views_charts as views

# Mounted at /reports/charts/: the charts page, and each chart's figures as JSON.
urlpatterns = [
    path("", views.chart_page, name="charts"),
    path("<slug:name>.json", views.chart_data, name="chart-data"),
]
