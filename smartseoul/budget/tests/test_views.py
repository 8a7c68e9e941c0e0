"""Pages and API: results with explanations, map data, the PDF report, Pabulib download, the
ballot page refusing a knapsack ballot over the envelope, and the office gate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pabutools.election.pabulib import parse_pabulib_from_string

from smartseoul.accounts.policy import SECOND_FACTOR_SESSION_KEY
from smartseoul.budget import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(on_ballot: Any, make_user: Any, budget_admin: Any) -> Any:
    cycle, env, projects = on_ballot([600_000_000, 500_000_000, 300_000_000])
    for p in projects:
        p.lat, p.lon = 37.57, 126.98
        p.save(update_fields=["lat", "lon"])
    codes = [p.code for p in projects]
    for voter, pattern in zip([make_user() for _ in range(3)], [[0, 1], [1], [2]], strict=True):
        services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=[codes[i] for i in pattern])
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="allocation")
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="implementation")
    return cycle, env, projects


def test_results_page_map_charts_and_explanations(client: Any, published: Any) -> None:
    cycle, _env, projects = published
    r = client.get(f"/budget/{cycle.slug}/results/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="budget-map"' in html and 'id="budget-geojson"' in html and "<svg" in html
    # the reasons are in the reader's language, amounts as people read them (issue 16: no English
    # "Funded in equal-shares round…" inside a Korean page)
    assert "미선정:" in html and "동점이면 득표가 많은 사업" in html and "억 원" in html
    assert "did not fit" not in html and "Ties are broken" not in html and "KRW" not in html
    english = client.get(f"/budget/{cycle.slug}/results/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "did not fit" in english and "Ties are broken by more votes" in english
    assert "KRW 800 million" in english and "1 vote;" in english
    assert "<script>" not in html.replace('<script type="application/json"', "")  # no inline script (CSP)
    api = client.get(f"/api/v1/budget/cycles/{cycle.slug}/results").json()
    outcomes = {o["project_code"]: o for o in api[0]["outcomes"]}
    assert outcomes[projects[1].code]["funded"] and outcomes[projects[1].code]["votes"] == 2
    assert all(o["explanation"] for o in outcomes.values())
    geo = client.get(f"/api/v1/budget/cycles/{cycle.slug}/projects.geojson").json()
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["geometry"]["coordinates"] == [126.98, 37.57]
    labels = {f["properties"]["status"]: f["properties"]["status_label"] for f in geo["features"]}
    assert labels.get("funded") == "선정"  # what a map's popup shows: the label, never the code


def test_pdf_report_and_pabulib_download(client: Any, published: Any) -> None:
    cycle, env, _ = published
    r = client.get(f"/budget/{cycle.slug}/report.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    r = client.get(f"/budget/envelopes/{env.pk}/pabulib.pb")
    instance, profile = parse_pabulib_from_string(r.content.decode())
    assert int(instance.budget_limit) == env.amount and len(profile) == 3


def test_results_are_not_public_before_publication(client: Any, on_ballot: Any) -> None:
    cycle, env, _ = on_ballot([100, 200])
    assert client.get(f"/budget/{cycle.slug}/results/").status_code == 409
    assert client.get(f"/api/v1/budget/cycles/{cycle.slug}/results").json()["error"]["code"] == "no_result"
    assert client.get(f"/api/v1/budget/envelopes/{env.pk}/pabulib").status_code == 409


def test_ballot_page_refuses_a_knapsack_ballot_over_the_envelope(client: Any, on_ballot: Any, make_user: Any) -> None:
    _cycle, env, projects = on_ballot([600_000_000, 500_000_000], vote_method="knapsack")
    client.force_login(make_user())
    r = client.post(f"/budget/envelopes/{env.pk}/vote/", {"project": [p.code for p in projects]})
    assert r.status_code == 400 and "11억 원" in r.content.decode()
    api = client.post(f"/api/v1/budget/envelopes/{env.pk}/ballot", json.dumps({"projects": [projects[0].code,
                                                                                            projects[1].code]}),
                      content_type="application/json")
    assert api.status_code == 400 and api.json()["error"]["code"] == "over_envelope"
    r = client.post(f"/budget/envelopes/{env.pk}/vote/", {"project": [projects[0].code]}, follow=True)
    assert r.redirect_chain and 'id="receipt"' in r.content.decode()


def test_office_needs_an_official_with_second_factor(client: Any, make_user: Any, budget_admin: Any,
                                                     published: Any) -> None:
    client.force_login(make_user())
    assert client.get("/budget/office/").status_code == 403
    client.force_login(budget_admin)
    assert client.get("/budget/office/").status_code == 302  # to the second factor
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    assert client.get("/budget/office/").status_code == 200
    _, _, projects = published
    r = client.post(f"/budget/office/projects/{projects[1].code}/", {"action": "override", "funded": "no",
                                                                     "reason": "short"})
    assert r.status_code == 400
    r = client.post(f"/budget/office/projects/{projects[1].code}/",
                    {"action": "override", "funded": "no", "reason": "Land purchase failed; moved to next year."})
    assert r.status_code == 302
    assert "Land purchase failed" in client.get(f"/budget/projects/{projects[1].code}/").content.decode()


def test_an_empty_cycle_says_how_to_propose_in_both_languages(client: Any, make_cycle: Any, budget_admin: Any) -> None:
    cycle = make_cycle()
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="submission")
    korean = client.get(f"/budget/{cycle.slug}/").content.decode()
    assert "아직 제안이 없습니다. 위의 '사업 제안하기' 버튼으로 첫 제안을 올려 보세요." in korean
    english = client.get(f"/budget/{cycle.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No proposals yet. Be the first: use the Propose a project button above." in english


def test_the_ballots_so_far_widget_counts_one_ballot_as_one(on_ballot: Any, make_user: Any) -> None:
    from django.utils import translation

    from smartseoul.budget.selectors import widget_votes_so_far

    _cycle, env, projects = on_ballot([600_000_000, 300_000_000])
    services.ballot_cast(user=make_user(), envelope_id=env.pk, project_codes=[projects[0].code])
    with translation.override("en"):
        assert {k: widget_votes_so_far()[k] for k in ("value", "unit")} == {"value": 1, "unit": "ballot"}
    services.ballot_cast(user=make_user(), envelope_id=env.pk, project_codes=[projects[1].code])
    with translation.override("en"):
        assert widget_votes_so_far()["unit"] == "ballots"
    with translation.override("ko"):
        assert widget_votes_so_far()["unit"] == "표"


def test_korean_project_titles_are_marked_korean_on_english_pages(client: Any, published: Any) -> None:
    cycle, _env, projects = published
    title = "어린이 놀이터 그늘막"
    projects[0].title = title
    projects[0].save(update_fields=["title"])
    results = client.get(f"/budget/{cycle.slug}/results/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<span lang="ko">{title}</span>' in results
    page = client.get(f"/budget/projects/{projects[0].code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<h1><span lang="ko">{title}</span></h1>' in page
    assert f'<span lang="ko">{projects[1].title}</span>' not in results  # "Project 1": the page's own language


def test_results_name_the_chart_axis_and_the_map_colours_and_the_cycle_is_a_breadcrumb(
    client: Any, published: Any
) -> None:
    cycle = published[0]
    page = client.get(f"/budget/{cycle.slug}/results/").content.decode()
    assert "득표수 (사업을 고른 표) →</text>" in page  # what the bars measure, with its unit
    assert '<span class="swatch funded"' in page and '<span class="swatch not-funded"' in page
    crumbs = page.split('id="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert f'href="/budget/{cycle.slug}/"' in crumbs
    main = page.split("<main", 1)[1]
    assert f'<p><a href="/budget/{cycle.slug}/">' not in main  # no second way back drawn inside the page


def test_the_site_search_finds_projects_of_published_cycles_only(published: Any) -> None:
    from smartseoul.budget.selectors import site_search_hits

    _cycle, _env, projects = published
    hits = site_search_hits("useful project number 1", None, 5)
    assert [h.url for h in hits] == [f"/budget/projects/{projects[1].code}/"]
    projects[2].status = "withdrawn"
    projects[2].save(update_fields=["status"])
    found = {h.url for h in site_search_hits("useful project", None, 50)}
    assert f"/budget/projects/{projects[0].code}/" in found and f"/budget/projects/{projects[2].code}/" not in found
