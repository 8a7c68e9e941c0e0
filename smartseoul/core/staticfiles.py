"""Static files: compressed copies and content-hashed names, served by WhiteNoise without
Django's request handling (docs/adr/0004-production-server.md).

`collectstatic` writes the hashed, compressed files and their manifest to STATIC_ROOT; pages
link the hashed names, which browsers may cache for a year. Until the manifest knows a file
(a checkout that has not run `collectstatic`, or the test suite), pages link its plain name,
which WhiteNoise finds through the static-file finders outside production.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.apps import StaticFilesConfig
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def create_compressor(self, **kwargs: Any) -> Compressor:
        """gzip only: Brotli at its best quality took minutes over the vendored libraries, on
        every fresh data directory, to save ~15 % more than gzip."""
        return Compressor(**{**kwargs, "use_brotli": False})

    def url(self, name: str | None, force: bool = False) -> str:
        try:
            return super().url(name, force)
        except ValueError:  # not collected yet: the plain name, served from the finders
            return StaticFilesStorage.url(self, name)


class StaticFilesApp(StaticFilesConfig):
    """Django's static files, without the parts of vendored packages no page uses (plotly's
    sample datasets, chart templates and notebook widget; ninja's ReDoc): `collectstatic` hashes
    and compresses every file it copies."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "datasets", "templates", "widgetbundle.js",
                       "redoc.standalone.js*"]
