"""Smart Seoul Map at /map/ (namespace "dashboard")."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.map_page, name="map"),
    path("embed/", views.map_embed, name="embed"),
    path("layers/<str:key>.geojson", views.layer_geojson, name="layer"),
    path("around/", views.around, name="around"),
    path("around/results", views.around_results, name="around-results"),
    path("themes/", views.themes, name="themes"),
    path("themes/new/", views.theme_new, name="theme-new"),
    path("themes/<int:pk>/", views.theme, name="theme"),
    path("themes/<int:pk>/points", views.theme_point_add, name="theme-point-add"),
    path("themes/<int:pk>/points/<int:point_id>/remove", views.theme_point_remove, name="theme-point-remove"),
    path("themes/<int:pk>/submit", views.theme_submit, name="theme-submit"),
    path("themes/<int:pk>/publish", views.theme_publish, name="theme-publish"),
    path("themes/<int:pk>/reject", views.theme_reject, name="theme-reject"),
    path("moderation/", views.moderation, name="moderation"),
]
