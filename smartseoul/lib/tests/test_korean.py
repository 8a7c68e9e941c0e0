"""Korean search tokens: particles and endings are dropped, compounds are split."""

from __future__ import annotations

from smartseoul.lib import korean


def test_particle_is_dropped_so_the_noun_matches():
    assert "주차장" in korean.tokens("주차장을 찾습니다")
    assert korean.query_tokens("주차장") == ("주차장",)


def test_compound_nouns_are_split_into_searchable_parts():
    toks = korean.tokens("서울시 공영주차장 현황")
    assert "주차장" in toks
    assert "현황" in toks


def test_latin_words_and_numbers_are_lower_cased():
    assert korean.tokens("PM2.5 RealtimeCityAir 2024") == ["pm2.5", "realtimecityair", "2024"]
    assert {"openapi", "pm2.5", "데이터"} <= set(korean.tokens("서울 열린데이터 OpenAPI 안내 PM2.5"))


def test_full_width_letters_are_normalised():
    assert korean.tokens("ＡＢＣ") == ["abc"]


def test_empty_text_gives_no_tokens():
    assert korean.tokens("") == []
    assert korean.tokens("   ") == []
    assert korean.search_text(None, "") == ""


def test_search_text_joins_parts_and_lists():
    text = korean.search_text("무더위쉼터 위치", ["냉방", "heat"])
    assert text.split() == ["무더위", "쉼터", "위치", "냉방", "heat"]


def test_query_and_document_share_tokens():
    doc = set(korean.search_text("종로구 공영주차장을 안내합니다").split())
    assert set(korean.query_tokens("주차장")) <= doc
    assert not set(korean.query_tokens("도서관")) <= doc
