"""The conference pages, the corrections of the record and the two live consoles."""

from django.urls import path

from giaoban.meetings import views
from giaoban.meetings.live import views as live_views

app_name = "meetings"
urlpatterns = [
    path("conferences/", views.conference_list, name="conference_list"),
    path("conferences/new/", views.conference_create, name="conference_create"),
    path("conferences/<int:pk>/", views.conference_detail, name="conference_detail"),
    path("conferences/<int:pk>/edit/", views.conference_edit, name="conference_edit"),
    path("conferences/<int:pk>/points/<int:point_pk>/edit/", views.point_edit, name="point_edit"),
    path(
        "conferences/<int:pk>/points/<int:point_pk>/remove/",
        views.point_remove,
        name="point_remove",
    ),
    path(
        "conferences/<int:pk>/delegates/<int:delegate_pk>/remove/",
        views.delegate_remove,
        name="delegate_remove",
    ),
    path("conferences/<int:pk>/agenda/<int:item_pk>/edit/", views.agenda_edit, name="agenda_edit"),
    path(
        "conferences/<int:pk>/agenda/<int:item_pk>/remove/",
        views.agenda_remove,
        name="agenda_remove",
    ),
    path("conferences/<int:pk>/points/add/", views.point_add, name="point_add"),
    path("conferences/<int:pk>/points/invite/", views.points_invite, name="points_invite"),
    path("conferences/<int:pk>/delegates/invite/", views.delegate_invite, name="delegate_invite"),
    path("conferences/<int:pk>/delegates/guest/", views.guest_add, name="guest_add"),
    path("conferences/<int:pk>/agenda/add/", views.agenda_add, name="agenda_add"),
    path("conferences/<int:pk>/conclusions/add/", views.conclusion_add, name="conclusion_add"),
    path(
        "conferences/<int:pk>/start/",
        views.conference_transition,
        {"action": "start"},
        name="conference_start",
    ),
    path(
        "conferences/<int:pk>/end/",
        views.conference_transition,
        {"action": "end"},
        name="conference_end",
    ),
    path(
        "conferences/<int:pk>/cancel/",
        views.conference_transition,
        {"action": "cancel"},
        name="conference_cancel",
    ),
    path(
        "conferences/<int:pk>/points/<int:point_pk>/confirm/",
        views.point_confirm,
        name="point_confirm",
    ),
    path(
        "conferences/<int:pk>/points/<int:point_pk>/delegates/",
        live_views.point_delegates,
        name="point_delegates",
    ),
    path("conferences/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("conferences/<int:pk>/host/", live_views.host_console, name="host_console"),
    path("conferences/<int:pk>/point/", live_views.point_console, name="point_console"),
]
