"""The layout every page shares: the main menu from the modules' tiles, breadcrumbs, the home page's
lead services, the site-wide search and the web-app manifest — in the reader's language."""

from __future__ import annotations

import json
import re
from typing import Any

from conftest import sign_in
from smartseoul.core import registry


def _html(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _menu_groups(html: str) -> list[str]:
    return re.findall(r'aria-controls="gnb-([a-z]+)"', html)


def test_the_main_menu_has_the_public_groups_and_my_page_only_when_signed_in(client: Any, citizen: Any) -> None:
    assert _menu_groups(_html(client.get("/", HTTP_ACCEPT_LANGUAGE="ko"))) == ["participate", "report", "data", "live"]
    html = _html(sign_in(client, citizen).get("/", HTTP_ACCEPT_LANGUAGE="ko"))
    assert _menu_groups(html) == ["participate", "report", "data", "live", "mine"]
    assert 'href="/voting/receipts/"' in html and 'href="/office/"' not in html  # a citizen has no back office


def test_an_official_finds_the_back_office_in_my_page(client: Any, official: Any) -> None:
    assert 'href="/office/"' in _html(sign_in(client, official).get("/"))


def test_home_leads_with_the_most_used_services_in_order(client: Any, city: Any) -> None:
    html = _html(client.get("/", HTTP_ACCEPT_LANGUAGE="ko"))
    lead = html.split('class="lead-tiles"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'class="tile" href="([^"]+)"', lead)
    assert links == ["/complaints/new/", "/complaints/mine/", "/voting/", "/sensors/"]
    assert "불편 신고하기" in lead


def test_breadcrumbs_name_home_the_module_and_the_page_in_english(client: Any, city: Any) -> None:
    html = _html(client.get("/voting/", HTTP_ACCEPT_LANGUAGE="en"))
    trail = html.split('id="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    names = [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", trail, re.S)]
    assert names[0] == "Home" and names[-1] == "mVoting" and not re.search(r"[\uac00-\ud7a3]", trail)
    assert 'id="breadcrumb"' not in _html(client.get("/"))  # none on the home page itself


def test_site_search_finds_services_and_hides_the_back_office_from_citizens(client: Any, citizen: Any) -> None:
    html = _html(client.get("/search/", {"q": "신고"}, HTTP_ACCEPT_LANGUAGE="ko"))
    assert 'href="/complaints/new/"' in html and 'href="/complaints/office/"' not in html
    assert 'id="no-results"' in _html(client.get("/search/", {"q": "없는말zzqx"}, HTTP_ACCEPT_LANGUAGE="ko"))
    assert 'id="no-results"' not in _html(client.get("/search/"))  # no query: no "nothing found"


def test_every_module_search_answers_within_its_limit(city: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    for manifest in registry.manifests():
        if manifest.search is not None:
            hits = manifest.search("서울", AnonymousUser(), 3)
            assert len(hits) <= 3 and all(hit.url.startswith("/") for hit in hits), manifest.name


def test_web_manifest_is_in_the_readers_language(client: Any, city: Any) -> None:
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/" and manifest["lang"] == "en" and manifest["icons"]
    assert manifest["short_name"] == "Smart Seoul"
