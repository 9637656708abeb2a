"""The publishing pages: the article, the minutes and notice as Word, reading a text back."""

from django.urls import path

from giaoban.publishing import views

app_name = "publishing"
urlpatterns = [
    path("conferences/<int:pk>/article/", views.article, name="article"),
    path("conferences/<int:pk>/article/draft/", views.article_draft, name="article_draft"),
    path("conferences/<int:pk>/article.docx", views.article_docx, name="article_docx"),
    path("conferences/<int:pk>/article.html", views.article_html, name="article_html"),
    path("publishing/read/", views.read, name="read"),
    path("publishing/read/<int:pk>/", views.review, name="review"),
]
