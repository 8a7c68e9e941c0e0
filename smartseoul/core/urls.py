from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read", views.inbox_read, name="inbox-read"),
    path("districts.geojson", views.districts_geojson, name="districts-geojson"),
]
