"""ASGI entry point, for deployments that choose an ASGI server. `smartseoul serve` serves WSGI
(docs/adr/0004-production-server.md); nothing in the platform needs ASGI. Run it with a fresh
database connection per request (DATABASE_CONN_MAX_AGE=0) or the PostgreSQL pool: each request
runs in a new thread, so per-thread persistent connections would pile up. Static files are
served by WhiteNoise's middleware either way."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
application = get_asgi_application()
