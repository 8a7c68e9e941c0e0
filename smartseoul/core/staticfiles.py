"""Static files: compressed copies and content-hashed names, served by WhiteNoise without
Django's request handling (docs/adr/0004-production-server.md).

`collectstatic` writes the hashed, compressed files and their manifest to STATIC_ROOT; pages
link the hashed names, which browsers may cache for a year. Until the manifest knows a file
(a checkout that has not run `collectstatic`, or the test suite), pages link its plain name,
which WhiteNoise finds through the static-file finders outside production.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def create_compressor(self, **kwargs: Any) -> Compressor:
        """gzip only: Brotli at its best quality took minutes over the vendored libraries, on
        every fresh data directory, to save ~15 % more than gzip."""
        return Compressor(**{**kwargs, "use_brotli": False})

    # Leaflet finds its marker images from the plain name in its stylesheet (`url(images/marker-
    # icon.png)`); a hashed name there sends every marker to a 404 on the page's own path.
    plain_urls_in = frozenset({"vendor/leaflet/leaflet.css"})

    def url_converter(self, name: str, hashed_files: Any, template: str | None = None) -> Any:
        if name in self.plain_urls_in:
            return lambda match: match["matched"]
        return super().url_converter(name, hashed_files, template)

    def url(self, name: str | None, force: bool = False) -> str:
        try:
            return super().url(name, force)
        except ValueError:  # not collected yet: the plain name, served from the finders
            return StaticFilesStorage.url(self, name)


class FileSystemFinder(finders.FileSystemFinder):
    """The STATICFILES_DIRS finder, without the parts of vendored packages no page uses (plotly's
    sample datasets, chart templates and notebook widget; ninja's ReDoc): `collectstatic` hashes
    and compresses every file it copies."""

    skipped = ("datasets", "templates", "widgetbundle.js", "redoc.standalone.js*")

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterable[Any]:
        return super().list([*(ignore_patterns or []), *self.skipped])
