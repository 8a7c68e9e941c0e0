"""/api/docs in Chromium: Swagger UI from the project's own static files under the site's strict CSP,
with the operations drawn and "Try it out" → "Execute" answering 200 inside the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_api_docs_render_and_try_an_operation(city, live_server, request, size):
    page = request.getfixturevalue(f"{size}_page")
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not (m.location or {}).get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.add_init_script(CSP_WATCH)

    response = page.goto("/api/docs", timeout=60_000)  # Swagger UI's bundle is 1.5 MB from the test server
    assert response is not None and response.ok
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=20_000)
    assert operations.count() > 20

    block = page.locator("#operations-platform-smartseoul_api_version")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status")
    expect(status).to_have_text("200", timeout=10_000)
    expect(block.locator(".live-responses-table .microlight").first).to_contain_text('"version"')

    assert page.evaluate("window.__cspViolations") == []
    assert errors == []
    assert outside == [], f"the docs page fetched from outside the site: {outside}"
