"""Health and readiness endpoints."""

from django.urls import path

from giaoban.ops import views

app_name = "ops"
urlpatterns = [
    path("health/live", views.live, name="health_live"),
    path("health/ready", views.ready, name="health_ready"),
]
