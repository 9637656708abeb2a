"""The documents pages of the register, named in the "documents" namespace: `register` (an
organization's register), `my_register` (the user's own organization's), `document_detail`,
`document_new`, `document_edit`, `document_issue`, `document_replace`, `document_docx`,
`document_pdf`, `document_pdf_again`; a conference's `minutes_docx` and
`conclusion_notice_docx`, a unit's `consolidated_docx`."""

from django.urls import path

from giaoban.documents import conference_docs, views

urlpatterns = [
    path("documents/", views.my_register, name="my_register"),
    path("documents/register/<int:pk>/", views.register, name="register"),
    path("documents/register/<int:pk>/new/", views.document_new, name="document_new"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/issue/", views.document_issue, name="document_issue"),
    path("documents/<int:pk>/replace/", views.document_replace, name="document_replace"),
    path("documents/<int:pk>/docx/", views.document_docx, name="document_docx"),
    path("documents/<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("documents/<int:pk>/pdf/again/", views.document_pdf_again, name="document_pdf_again"),
    # A conference's minutes and notice as they stand, in the organizer's format.
    path("conferences/<int:pk>/minutes.docx", conference_docs.minutes_view, name="minutes_docx"),
    path(
        "conferences/<int:pk>/conclusion-notice.docx",
        conference_docs.conclusion_notice_view,
        name="conclusion_notice_docx",
    ),
    path(
        "reports/consolidated.docx",
        conference_docs.consolidated_report_view,
        name="consolidated_docx",
    ),
]
