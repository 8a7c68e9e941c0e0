from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_report, name="new"),
    path("media/upload", views.media_upload, name="media-upload"),
    path("media/<int:pk>/original", views.media_original, name="media-original"),
    path("nearby", views.nearby, name="nearby"),
    path("mine/", views.mine, name="mine"),
    path("r/<str:number>/", views.report, name="report"),
    path("r/<str:number>/metoo", views.metoo, name="metoo"),
    path("r/<str:number>/reopen", views.reopen, name="reopen"),
    path("map/", views.talk_map, name="map"),
    path("map.geojson", views.map_geojson, name="map-geojson"),
    path("map/districts", views.district_stats, name="district-stats"),
    path("office/", views.office, name="office"),
    path("office/bulk", views.office_bulk, name="office-bulk"),
    path("office/r/<str:number>/", views.office_report, name="office-report"),
    path("office/r/<str:number>/<str:action>", views.office_action, name="office-action"),
]
