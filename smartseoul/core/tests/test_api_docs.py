"""/api/docs is served from the site's own static files, with no inline script, under the strict CSP."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders


def test_api_docs_use_only_own_static_files_and_no_inline_script(client, db):
    response = client.get("/api/docs", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _ in scripts if "src=" in attrs]
    # the layout's own scripts, then Swagger UI and the script that starts it: all the site's own files
    assert sources[-2:] == ["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/smartseoul/api-docs.js"]
    assert all(src.startswith("/static/") for src in sources)
    inline = [body for attrs, body in scripts if "src=" not in attrs and 'type="application/json"' not in attrs]
    assert inline == [], "an inline script is blocked by the CSP"
    assert "cdn." not in html and "https://" not in html
    for path in (
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "vendor/swagger-ui/swagger-ui.css",
        "smartseoul/api-docs.js",
    ):
        assert finders.find(path), f"{path} is not among the static files"
    settings = re.search(r'<script id="swagger-settings" type="application/json">(.*?)</script>', html).group(1)
    assert '"url": "/api/v1/openapi.json"' in settings and '"validatorUrl": null' in settings
