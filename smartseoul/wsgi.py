"""WSGI entry point, served by `smartseoul serve` (granian) and usable by any WSGI server.

Behind a reverse proxy, the client's address and scheme come from X-Forwarded-For and
X-Forwarded-Proto, trusted only when the request comes from an address in FORWARDED_ALLOW_IPS
(127.0.0.1 by default): rate limits key on the client's address.
"""

import os

from django.core.wsgi import get_wsgi_application

from smartseoul.lib.process import SERVER_PID, die_with_parent


def _die_with_the_server() -> None:
    """A worker of `smartseoul serve` stops when the server's main process dies, even by SIGKILL:
    an orphaned worker would go on answering on the shared socket with nobody to stop it."""
    parent = os.environ.get(SERVER_PID)
    if parent and os.getpid() != int(parent):
        die_with_parent(int(parent))


_die_with_the_server()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (after the settings module is chosen)
from granian.utils.proxies import wrap_wsgi_with_proxy_headers  # noqa: E402

application = wrap_wsgi_with_proxy_headers(django_application, trusted_hosts=settings.FORWARDED_ALLOW_IPS)
