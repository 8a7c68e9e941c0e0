"""Catalogue search: Korean morphemes on FTS5/PostgreSQL, fq forms, facets, sorts, paging."""

from __future__ import annotations

import pytest

from smartseoul.opendata import selectors, services
from smartseoul.opendata.errors import QueryError

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(jongno):
    seoul = services.organization_ensure(
        name="seoul-transport", title_ko="서울특별시 교통정책과", kind="city", department_code="seoul-transport"
    )
    made = {}
    for name, title, cat, org, tags in (
        ("parking-a", "종로구 공영주차장을 안내합니다", "transport", jongno, ["주차"]),
        ("air-a", "자치구별 대기질 측정 정보", "environment", seoul, ["미세먼지"]),
        ("library-a", "공공도서관 위치", "education", seoul, ["도서관"]),
        ("bus-a", "버스정류소 위치정보", "transport", seoul, ["버스", "주차"]),
    ):
        made[name] = services.dataset_create(
            actor=None, organization=org, name=name, title_ko=title, category=cat, tags=tags, state="active"
        )
    services.dataset_create(
        actor=None, organization=seoul, name="draft-parking", title_ko="주차장 초안", category="transport"
    )
    return made


def _names(result):
    return [d.name for d in result.results]


def test_korean_word_inside_a_longer_word_with_a_particle_is_found(catalogue):
    result = selectors.search_datasets(selectors.SearchParams(q="주차장"))
    assert _names(result) == ["parking-a"]  # the draft is not public


def test_query_words_are_all_required(catalogue):
    assert _names(selectors.search_datasets(selectors.SearchParams(q="종로구 주차장"))) == ["parking-a"]
    assert selectors.search_datasets(selectors.SearchParams(q="종로구 도서관")).count == 0


def test_prefix_matches(catalogue):
    assert _names(selectors.search_datasets(selectors.SearchParams(q="도서"))) == ["library-a"]


def test_fq_forms_of_the_ckan_harvester(catalogue):
    def names(fq):
        return sorted(_names(selectors.search_datasets(selectors.SearchParams(fq=fq, rows=100))))

    assert names("organization:jongno-gu OR organization:seoul-transport") == [
        "air-a",
        "bus-a",
        "library-a",
        "parking-a",
    ]
    assert names("-organization:jongno-gu") == ["air-a", "bus-a", "library-a"]
    assert names("groups:transport OR groups:education") == ["bus-a", "library-a", "parking-a"]
    assert names("-groups:transport") == ["air-a", "library-a"]
    assert names("metadata_modified:[2000-01-01T00:00:00.000000Z TO *]") == ["air-a", "bus-a", "library-a", "parking-a"]
    assert names("metadata_modified:[2999-01-01T00:00:00Z TO *]") == []
    assert names('tags:"주차" AND groups:transport') == ["bus-a", "parking-a"]
    assert names("groups:(environment OR education)") == ["air-a", "library-a"]


@pytest.mark.parametrize(
    "bad", ["organization:[broken", "nofield:x", "(groups:transport", "metadata_modified:[x TO *]"]
)
def test_bad_queries_raise_query_errors(catalogue, bad):
    with pytest.raises(QueryError):
        selectors.search_datasets(selectors.SearchParams(fq=bad))


def test_facets_count_the_filtered_set(catalogue):
    result = selectors.search_datasets(selectors.SearchParams(facet_fields=["groups", "tags", "organization"]))
    groups = {name: n for name, _label, n in result.facets["groups"]}
    assert groups == {"transport": 2, "environment": 1, "education": 1}
    tags = {name: n for name, _label, n in result.facets["tags"]}
    assert tags["주차"] == 2


def test_sorts_and_stable_id_paging(catalogue):
    by_name = _names(selectors.search_datasets(selectors.SearchParams(sort="name asc")))
    assert by_name == sorted(by_name)
    services.usage_count(dataset_id=catalogue["library-a"].pk, kind="views", n=5)
    assert _names(selectors.search_datasets(selectors.SearchParams(sort="views_total desc")))[0] == "library-a"
    pages = [
        _names(selectors.search_datasets(selectors.SearchParams(sort="id asc", rows=1, start=i))) for i in range(5)
    ]
    flat = [n for page in pages for n in page]
    assert len(flat) == 4 and len(set(flat)) == 4 and pages[4] == []
    with pytest.raises(QueryError):
        selectors.search_datasets(selectors.SearchParams(sort="nonexistent asc"))


def test_rows_are_capped_silently(catalogue):
    assert selectors.search_datasets(selectors.SearchParams(rows=5000)).count == 4
