from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.air_map, name="map"),
    path("boxes.geojson", views.boxes_geojson, name="boxes-geojson"),
    path("boxes/<str:serial>/", views.box_page, name="box"),
    path("alerts/", views.alert_subscriptions, name="alerts"),
    path("care/", views.care_dashboard, name="care"),
    path("care/<int:senior_id>", views.care_senior, name="care-senior"),
    path("care/alerts/<int:alert_id>/<str:action>", views.care_alert_action, name="care-alert"),
]
