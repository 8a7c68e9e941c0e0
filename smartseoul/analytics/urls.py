from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/new/<str:kind>", views.job_new, name="job-new"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status", views.job_status, name="job-status"),
    path("jobs/<int:pk>/cancel", views.job_cancel, name="job-cancel"),
    path("jobs/<int:pk>/map.geojson", views.job_geojson, name="job-geojson"),
    path("trips/import", views.trips_import, name="trips-import"),
    path("routes/upload", views.routes_upload, name="routes-upload"),
    path("commerce/", views.commerce, name="commerce"),
    path("commerce/analyse", views.commerce_analyse, name="commerce-analyse"),
]
