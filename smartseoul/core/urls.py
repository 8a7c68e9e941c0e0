from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read", views.inbox_read, name="inbox-read"),
    path("office/audit/", views.audit_log, name="audit-log"),
    path("office/audit.csv", views.audit_log_csv, name="audit-log-csv"),
    path("districts.geojson", views.districts_geojson, name="districts-geojson"),
]
