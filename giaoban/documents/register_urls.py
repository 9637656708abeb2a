"""The documents pages of the register, named in the "documents" namespace: `register` (an
organization's register), `my_register` (the user's own organization's), `document_detail`,
`document_new`, `document_edit`, `document_issue`, `document_replace`, `document_docx`,
`document_pdf`."""

from django.urls import path

from giaoban.documents import views

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
]
