"""Files of a conference, served to its participants: attached documents, the attendance record."""

from django.urls import path

from giaoban.meetings import documents, exports

# Not "meetings": the conference pages already use that namespace.
app_name = "meetings_files"
urlpatterns = [
    path(
        "conferences/documents/<int:pk>/",
        documents.document_download,
        name="document_download",
    ),
    path(
        "conferences/<int:pk>/attendance.xlsx",
        exports.attendance_download,
        name="attendance_xlsx",
    ),
]
