"""The Digital Mayor's Office at /mayor/ (namespace "mayor"), mounted at the site root because
the module's own prefix is the map's (/map/)."""

from django.urls import path

from . import views

app_name = "mayor"

urlpatterns = [
    path("mayor/", views.mayor, name="index"),
    path("mayor/board", views.mayor_board, name="board"),
    path("mayor/office/", views.mayor_office, name="office"),
    path("mayor/office/board", views.mayor_office_board, name="office-board"),
]
