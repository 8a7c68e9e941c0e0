"""SensorThings API 1.1, mounted at the site root (no trailing slashes, no redirects)."""

from __future__ import annotations

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("sta/v1.1", views.service, name="sta-root"),
    re_path(r"^sta/v1\.1/(?P<path>.*)$", views.service, name="sta"),
]
