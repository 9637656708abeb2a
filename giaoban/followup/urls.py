"""The follow-up pages: tasks, assignments, progress reports and the exports."""

from django.urls import path

from giaoban.followup import views

app_name = "followup"
urlpatterns = [
    path("tasks/mine/", views.my_tasks, name="my_tasks"),
    path("tasks/assigned/", views.assigned, name="assigned"),
    path("tasks/overdue/", views.overdue, name="overdue"),
    path("tasks/unit/<int:pk>/", views.unit_board, name="unit_board"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/assign/", views.task_assign, name="task_assign"),
    path(
        "tasks/assignments/<int:pk>/report/",
        views.assignment_report,
        name="assignment_report",
    ),
    path(
        "tasks/assignments/<int:pk>/accept/",
        views.assignment_accept,
        name="assignment_accept",
    ),
    path(
        "tasks/assignments/<int:pk>/send-back/",
        views.assignment_send_back,
        name="assignment_send_back",
    ),
    path("tasks/files/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("notifications/", views.notifications, name="notifications"),
]
