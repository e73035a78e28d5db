from django.urls import path

from . import views

app_name = "transparency"
urlpatterns = [
    path("", views.report_page, name="report"),
    path("report.csv", views.report_csv, name="report-csv"),
    path("full/", views.full_report_page, name="full-report"),
    path("full.csv", views.full_report_csv, name="full-report-csv"),
    path("quarterly/", views.quarterly_page, name="quarterly"),
    path("quarterly/<str:quarter>/", views.quarterly_page, name="quarterly-quarter"),
    path("quarterly/<str:quarter>/sign/", views.quarterly_sign, name="quarterly-sign"),
    path("quarterly/<str:quarter>.pdf", views.quarterly_pdf, name="quarterly-pdf"),
]
