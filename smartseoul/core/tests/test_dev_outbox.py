"""The development outbox page: the SMS and e-mail messages the development gateway kept, so a
person trying the demo can read a phone code. Absent in production."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from smartseoul.accounts import services as accounts
from smartseoul.accounts.models import Verification
from smartseoul.core import clock

CODE = re.compile(r"\b(\d{6})\b")


def _messages(html: str) -> list[str]:
    return re.findall(r'<article class="card dev-message".*?</article>', html, flags=re.S)


def test_a_signed_in_person_reads_their_own_codes_newest_first(client, city, make_user):
    minji = make_user("minji", verification=Verification.UNVERIFIED)
    other = make_user("other", verification=Verification.UNVERIFIED)
    accounts.phone_challenge_start(user=other, phone="010-2222-3333")
    accounts.phone_challenge_start(user=minji, phone="010-4444-5555")
    clock.advance(60)
    accounts.phone_challenge_start(user=minji, phone="010-4444-5555")
    client.force_login(minji)

    response = client.get("/dev/outbox/")
    assert response.status_code == 200
    html = response.content.decode()
    shown = _messages(html)
    assert len(shown) == 2  # hers only, not the other person's
    newest = minji.notifications.filter(kind="accounts.phone_code").order_by("-id")
    codes = [CODE.search(n.body).group(1) for n in newest]  # type: ignore[union-attr]
    bodies = [re.search(r"<pre[^>]*>(.*?)</pre>", m, flags=re.S).group(1) for m in shown]  # type: ignore[union-attr]
    assert [CODE.search(b).group(1) for b in bodies] == codes  # type: ignore[union-attr]
    assert "개발용" in html and "서울 시간" in html  # marked as a development page; times in Seoul time
    seoul = timezone.localtime(newest[0].created_at, ZoneInfo("Asia/Seoul"))
    assert seoul.strftime("%Y-%m-%d %H:%M") in shown[0]  # with its date, in the city's time


def test_a_signed_out_visitor_is_asked_to_sign_in_and_sees_no_message(client, city, make_user):
    accounts.phone_challenge_start(user=make_user("x", verification=Verification.UNVERIFIED), phone="010-2222-3333")
    html = client.get("/dev/outbox/").content.decode()
    assert not _messages(html)
    assert "/accounts/login/?next=/dev/outbox/" in html


def test_the_page_is_english_for_an_english_reader(client, city, make_user):
    client.force_login(make_user("amy", verification=Verification.UNVERIFIED))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/dev/outbox/").content.decode()
    assert "Development outbox" in html and "개발용" not in html


def test_there_is_no_outbox_page_in_production(client, city, make_user, settings):
    client.force_login(make_user("minji"))
    settings.PRODUCTION = True
    assert client.get("/dev/outbox/").status_code == 404


@pytest.mark.parametrize("production", [False, True])
def test_the_phone_page_links_to_the_outbox_after_a_code_is_sent_in_development(
    client, city, make_user, settings, production
):
    client.force_login(make_user("minji", verification=Verification.UNVERIFIED))
    settings.PRODUCTION = production
    assert "/dev/outbox/" not in client.get("/accounts/phone/").content.decode()  # nothing sent yet
    client.post("/accounts/phone/", {"phone": "010-4444-5555"})
    html = client.get("/accounts/phone/").content.decode()
    assert ('href="/dev/outbox/"' in html) is not production
    if not production:
        assert "개발용 문자함에서 인증번호 보기" in html


def test_the_code_text_message_is_in_the_persons_language_and_holds_six_digits(city, make_user):
    ko = make_user("ko-reader", verification=Verification.UNVERIFIED)
    en = make_user("en-reader", verification=Verification.UNVERIFIED)
    en.preferred_language = "en"
    en.save(update_fields=["preferred_language"])
    accounts.phone_challenge_start(user=ko, phone="010-4444-5555")
    accounts.phone_challenge_start(user=en, phone="010-4444-6666")
    ko_body = ko.notifications.get(kind="accounts.phone_code").body
    en_body = en.notifications.get(kind="accounts.phone_code").body
    assert "인증번호" in ko_body and CODE.search(ko_body)
    assert "verification code" in en_body and CODE.search(en_body) and not re.search("[가-힣]", en_body)
