"""ASGI entry point. In development (DEBUG) static files are served by Django itself;
in production a proxy serves SMARTSEOUL_DATA_DIR/static at /static/."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
application = get_asgi_application()

if settings.DEBUG or os.environ.get("SMARTSEOUL_SERVE_STATIC", "").lower() in {"1", "true", "yes"}:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    application = ASGIStaticFilesHandler(application)
