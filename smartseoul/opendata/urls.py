from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("dataset/<slug:name>/", views.dataset, name="dataset"),
    path("dataset/<slug:name>/preview", views.preview, name="preview"),
    path("dataset/<slug:name>/chart.json", views.chart_data, name="chart-data"),
    path("dataset/<slug:name>/map.geojson", views.map_data, name="map-data"),
    path(
        "dataset/<slug:name>/resource/<uuid:resource_id>/download/<str:filename>",
        views.download,
        name="download",
    ),
    path("publish/", views.publish, name="publish"),
    path("publish/dataset/<slug:name>/upload/", views.upload, name="upload"),
    path("publish/upload/<uuid:uid>/", views.upload_report, name="upload-report"),
    path("keys/", views.keys, name="keys"),
    path("requests/", views.requests_list, name="requests"),
    path("requests/<uuid:uid>/", views.request_detail, name="request"),
    path("apps/", views.apps, name="apps"),
    path("stats/", views.stats, name="stats"),
    path("documents/", views.documents, name="documents"),
    path("documents/office/", views.documents_office, name="documents-office"),
    path("documents/<uuid:uid>/", views.document, name="document"),
    path("documents/<uuid:uid>/review/", views.document_review, name="document-review"),
]
