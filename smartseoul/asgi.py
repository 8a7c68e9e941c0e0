"""ASGI entry point. Outside production static files are served by Django itself (SERVE_STATIC);
in production a proxy serves SMARTSEOUL_DATA_DIR/static at /static/."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
application = get_asgi_application()

if settings.SERVE_STATIC:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    application = ASGIStaticFilesHandler(application)
