"""The registry's pages: the unit tree, a unit, an organization, a person and their forms."""

from django.urls import path

from giaoban.orgs import views

app_name = "orgs"
urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("organizations/new/", views.organization_edit, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_edit, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/positions/new/", views.position_add, name="position_add"),
    path("positions/<int:pk>/end/", views.position_end, name="position_end"),
]
