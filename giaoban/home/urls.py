"""The role homes, the search across apps and the readiness ticks from the home page."""

from django.urls import path

from giaoban.home import views

app_name = "home"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("home/points/<int:pk>/readiness/", views.readiness, name="readiness"),
]
