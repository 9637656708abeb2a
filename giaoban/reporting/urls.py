"""The reporting pages: my reports, data entry, the inbox, the consolidated view and files."""

from django.urls import path

from giaoban.reporting import views

app_name = "reporting"
urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/open/", views.report_open, name="report_open"),
    path("reports/inbox/", views.inbox, name="inbox"),
    path("reports/consolidated/", views.consolidated, name="consolidated"),
    path("reports/consolidated.xlsx", views.consolidated_xlsx, name="consolidated_xlsx"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/check/", views.report_check, name="report_check"),
    path("reports/<int:pk>/template.xlsx", views.report_template, name="report_template"),
    path("reports/<int:pk>/upload/", views.report_upload, name="report_upload"),
    path(
        "reports/<int:pk>/approve/",
        views.report_decide,
        {"action": "approve"},
        name="report_approve",
    ),
    path(
        "reports/<int:pk>/return/", views.report_decide, {"action": "return"}, name="report_return"
    ),
]
