"""Proposals, attachments, moderation, comments, Seoul Inquires, configuration, exports."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from smartseoul.core import clock
from smartseoul.core.errors import DomainError
from smartseoul.core.models import AuditEvent, Notification
from smartseoul.democracy import selectors, services
from smartseoul.democracy.models import Attachment, Comment, Inquiry, LadderConfig, Proposal, Report, Stage

from . import factories


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    gps = {1: "N", 2: (37.0, 34.0, 12.0), 3: "E", 4: (126.0, 58.0, 40.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


# --- proposals -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_images_lose_their_location_data(author: Any) -> None:
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825)
    p = factories.proposal(author, files=[SimpleUploadedFile("photo.jpg", raw, content_type="image/jpeg")])
    a = p.attachments.get()
    assert a.kind == "image" and a.content_type == "image/jpeg"
    with a.file.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
        assert not stored.getexif()


@pytest.mark.django_db
def test_bad_attachment_refuses_the_whole_proposal(author: Any) -> None:
    good = SimpleUploadedFile("a.jpg", jpeg_with_gps())
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00not an image")
    with pytest.raises(DomainError) as exc:
        factories.proposal(author, files=[good, bad])
    assert exc.value.code == "bad_attachment"
    assert Proposal.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.django_db
def test_at_most_five_attachments(author: Any) -> None:
    files = [SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4\n%test\n") for i in range(6)]
    with pytest.raises(DomainError) as exc:
        factories.proposal(author, files=files)
    assert exc.value.code == "too_many_attachments"


@pytest.mark.django_db
def test_pdf_is_kept_as_a_document(author: Any) -> None:
    p = factories.proposal(author, files=[SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%test\n")])
    assert p.attachments.get().kind == "document"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "abc", "invalid"),
        ("problem", "", "invalid"),
        ("category", "parking", "bad_category"),
    ],
)
def test_bad_input_is_refused(author: Any, field: str, value: str, code: str) -> None:
    with pytest.raises(DomainError) as exc:
        factories.proposal(author, **{field: value})
    assert exc.value.code == code and exc.value.status == 400
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_unknown_district_is_404(author: Any) -> None:
    with pytest.raises(DomainError) as exc:
        factories.proposal(author, district_code="99999")
    assert exc.value.status == 404


@pytest.mark.django_db
def test_edit_until_the_first_support(author: Any, open_proposal: Any) -> None:
    p = services.proposal_update(
        proposal_id=open_proposal.pk,
        actor=author,
        title="경로당 냉방비 전액 지원",
        category="environment",
        district_code="city",
    )
    assert (p.title, p.category, p.district_id) == ("경로당 냉방비 전액 지원", "environment", None)
    assert p.department.code == "seoul-environment"  # re-routed
    other = factories.citizens(1)[0]
    with pytest.raises(DomainError) as exc:
        services.proposal_update(proposal_id=p.pk, actor=other, title="남의 제안을 고칩니다")
    assert exc.value.code == "not_author"
    services.support_add(proposal_id=p.pk, user=other)
    with pytest.raises(DomainError) as exc:
        services.proposal_update(proposal_id=p.pk, actor=author, title="지원 후에 고칩니다")
    assert exc.value.code == "proposal_locked"
    assert Proposal.objects.get(pk=p.pk).title == "경로당 냉방비 전액 지원"


@pytest.mark.django_db
def test_withdrawal_only_while_gathering_support(author: Any) -> None:
    p = factories.proposal(author)
    supporter = factories.citizens(1)[0]
    services.support_add(proposal_id=p.pk, user=supporter)
    services.proposal_withdraw(proposal_id=p.pk, actor=author, reason="다른 제안과 합칩니다")
    p.refresh_from_db()
    assert p.stage == Stage.WITHDRAWN
    assert Notification.objects.filter(recipient=supporter, kind="democracy.stage.withdrawn").exists()
    with pytest.raises(DomainError):
        services.support_add(proposal_id=p.pk, user=factories.citizens(1)[0])
    q = factories.support_by(factories.proposal(author, title="두 번째 제안입니다"), factories.citizens(50))
    with pytest.raises(DomainError) as exc:
        services.proposal_withdraw(proposal_id=q.pk, actor=author)
    assert exc.value.code == "wrong_stage"


@pytest.mark.django_db
def test_unfollowing_stops_stage_messages(author: Any) -> None:
    p = factories.proposal(author)
    supporter = factories.citizens(1)[0]
    services.support_add(proposal_id=p.pk, user=supporter)
    services.follow_set(proposal_id=p.pk, user=supporter, follow=False)
    factories.support_by(p, factories.citizens(49))
    assert not Notification.objects.filter(recipient=supporter, kind__startswith="democracy.stage.").exists()
    assert Notification.objects.filter(recipient=author, kind="democracy.stage.department_answer_due").exists()


@pytest.mark.django_db
def test_messages_follow_the_recipient_language(author: Any) -> None:
    author.preferred_language = "en"
    author.save(update_fields=["preferred_language"])
    factories.support_by(factories.proposal(author), factories.citizens(50))
    n = Notification.objects.get(recipient=author, channel="inbox", kind="democracy.stage.department_answer_due")
    assert n.subject.startswith("Proposal update")


@pytest.mark.django_db
def test_reassign_by_the_department(author: Any, welfare_official: Any) -> None:
    p = factories.support_by(factories.proposal(author), factories.citizens(50))
    services.proposal_reassign(
        proposal_id=p.pk,
        actor=welfare_official,
        department_code="seoul-welfare",
        reason="시 전체 정책이라 시 복지정책과 소관입니다.",
    )
    p.refresh_from_db()
    assert p.department.code == "seoul-welfare"
    assert AuditEvent.objects.filter(action="democracy.reassign").exists()
    with pytest.raises(DomainError):  # no longer theirs
        services.answer_create(proposal_id=p.pk, actor=welfare_official, body="이제 우리 부서 소관이 아닙니다.")


# --- comments and moderation ----------------------------------------------------------------------


@pytest.mark.django_db
def test_reply_must_belong_to_the_same_proposal(author: Any) -> None:
    p1 = factories.proposal(author)
    p2 = factories.proposal(author, title="다른 제안입니다")
    c = services.comment_add(proposal_id=p1.pk, author=author, body="첫 댓글")
    with pytest.raises(DomainError) as exc:
        services.comment_add(proposal_id=p2.pk, author=author, body="엉뚱한 답글", parent_id=c.pk)
    assert exc.value.code == "comment_not_found"
    reply = services.comment_add(proposal_id=p1.pk, author=factories.citizens(1)[0], body="답글", parent_id=c.pk)
    tree = selectors.comment_tree(p1)
    assert tree[0].replies[0].comment == reply and tree[0].replies[0].depth == 1
    assert Notification.objects.filter(recipient=author, kind="democracy.reply").exists()


@pytest.mark.django_db
def test_reports_hide_content_at_the_configured_count(author: Any, moderator: Any, city_admin: Any) -> None:
    services.ladder_config_update(actor=city_admin, reports_to_hide=2)
    c = services.comment_add(proposal_id=factories.proposal(author).pk, author=author, body="광고 댓글")
    r1, r2 = factories.citizens(2)
    services.report_create(reporter=r1, target_kind="comment", target_id=c.pk, reason="spam")
    with pytest.raises(DomainError) as exc:
        services.report_create(reporter=r1, target_kind="comment", target_id=c.pk, reason="abuse")
    assert exc.value.code == "already_reported"
    assert not Comment.objects.get(pk=c.pk).hidden
    services.report_create(reporter=r2, target_kind="comment", target_id=c.pk, reason="spam")
    assert Comment.objects.get(pk=c.pk).hidden
    assert Notification.objects.filter(recipient=moderator, kind="democracy.moderation").exists()
    assert selectors.moderation_queue()[0]["id"] == c.pk

    with pytest.raises(DomainError):
        services.moderation_decide(actor=r1, target_kind="comment", target_id=c.pk, uphold=False)
    assert (
        services.moderation_decide(
            actor=moderator, target_kind="comment", target_id=c.pk, uphold=True, note="상업 광고"
        )
        == 2
    )
    assert Comment.objects.get(pk=c.pk).hidden
    assert set(Report.objects.values_list("status", flat=True)) == {"upheld"}
    event = AuditEvent.objects.get(action="democracy.moderation_decision")
    assert event.actor == moderator and event.details["decision"] == "uphold"
    assert selectors.moderation_queue() == []


@pytest.mark.django_db
def test_unknown_report_target(author: Any) -> None:
    with pytest.raises(DomainError) as exc:
        services.report_create(reporter=author, target_kind="comment", target_id=999, reason="spam")
    assert exc.value.status == 404
    with pytest.raises(DomainError):
        services.report_create(reporter=author, target_kind="user", target_id=1, reason="spam")


# --- configuration ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_city_admins_change_the_ladder_and_bad_values_change_nothing(
    city_admin: Any, welfare_official: Any
) -> None:
    assert selectors.ladder_config().department_threshold == 50  # Seoul's defaults without a stored row
    with pytest.raises(DomainError) as exc:
        services.ladder_config_update(actor=welfare_official, department_threshold=10)
    assert exc.value.status == 403
    services.ladder_config_update(actor=city_admin, department_threshold=30)
    for bad in ({"forum_threshold": 10}, {"forum_days": 0}, {"mayor_threshold": "many"}, {"colour": 3}):
        with pytest.raises(DomainError) as exc:
            services.ladder_config_update(actor=city_admin, **bad)
        assert exc.value.code == "bad_config"
    cfg = LadderConfig.objects.get()
    assert (cfg.department_threshold, cfg.forum_threshold, cfg.forum_days) == (30, 100, 30)
    assert AuditEvent.objects.filter(action="democracy.config_update").count() == 1


# --- Seoul Inquires ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_inquiry_comment_round(welfare_official: Any, author: Any) -> None:
    clock.freeze(clock.now())
    inq = services.inquiry_create(
        actor=welfare_official,
        title="따릉이 야간 운영 연장",
        question="대여소를 새벽 2시까지 운영하면 이용하시겠습니까?",
        closes_at=clock.now() + timedelta(days=7),
    )
    assert inq.department.code == "11110-welfare"
    services.inquiry_respond(inquiry_id=inq.pk, user=author, body="네, 자주 이용할 것 같습니다.")
    services.inquiry_respond(inquiry_id=inq.pk, user=author, body="생각해보니 주말에만 이용하겠습니다.")
    inq.refresh_from_db()
    assert inq.response_count == 1 and inq.responses.get().body.startswith("생각해보니")
    with pytest.raises(DomainError):
        services.inquiry_summarise(inquiry_id=inq.pk, actor=welfare_official, summary="아직 열려 있습니다만 요약합니다")
    clock.advance(7 * 86400)
    with pytest.raises(DomainError) as exc:
        services.inquiry_respond(inquiry_id=inq.pk, user=factories.citizens(1)[0], body="늦은 답변입니다")
    assert exc.value.code == "inquiry_closed"
    with pytest.raises(DomainError):
        services.inquiry_summarise(inquiry_id=inq.pk, actor=author, summary="시민이 결과를 발표합니다.")
    services.inquiry_summarise(
        inquiry_id=inq.pk, actor=welfare_official, summary="응답자 대부분이 주말 운영을 원해 주말부터 시범 운영합니다."
    )
    assert AuditEvent.objects.filter(action="democracy.inquiry_summary").exists()


@pytest.mark.django_db
def test_only_officials_ask(author: Any) -> None:
    with pytest.raises(DomainError) as exc:
        services.inquiry_create(
            actor=author,
            title="시민이 묻습니다",
            question="시민이 시를 대신해 묻습니다.",
            closes_at=clock.now() + timedelta(days=3),
        )
    assert exc.value.status == 403
    assert not Inquiry.objects.exists()


@pytest.mark.django_db
def test_inquiry_answered_through_a_vote(welfare_official: Any) -> None:
    from smartseoul.voting import selectors as voting_selectors
    from smartseoul.voting import services as voting_services

    inq = services.inquiry_create(
        actor=welfare_official,
        title="공공자전거 요금 개편안",
        mode="vote",
        question="어느 요금안을 선호하십니까?",
        district_code="11110",
        options=["현행 유지", "1시간 1,000원", "월정액 확대"],
        closes_at=clock.now() + timedelta(days=7),
    )
    assert inq.vote_id
    assert selectors.inquiry_vote_url(inq) == f"/voting/{inq.vote_id}/"
    page = Client().get(f"/democracy/inquiries/{inq.pk}/").content.decode()
    assert f'href="/voting/{inq.vote_id}/"' in page
    results = voting_selectors.vote_results(int(inq.vote_id))
    assert [o["text"] for o in results["options"]] == ["현행 유지", "1시간 1,000원", "월정액 확대"]
    assert selectors.inquiry_vote_results(inq) is None  # results are public once the vote closes
    with pytest.raises(DomainError) as exc:
        services.inquiry_respond(inquiry_id=inq.pk, user=welfare_official, body="댓글로 답합니다")
    assert exc.value.code == "wrong_stage"
    clock.advance(7 * 86400 + 60)
    voting_services.vote_close(vote_id=int(inq.vote_id), actor=welfare_official)
    closed = selectors.inquiry_vote_results(inq)
    assert closed is not None and closed["total_ballots"] == 0


@pytest.mark.django_db
def test_vote_inquiry_needs_two_options(welfare_official: Any) -> None:
    with pytest.raises(DomainError):
        services.inquiry_create(
            actor=welfare_official,
            title="선택지가 하나뿐",
            mode="vote",
            question="하나만 고르시겠습니까?",
            options=["하나"],
            closes_at=clock.now() + timedelta(days=7),
        )
    assert not Inquiry.objects.exists()


# --- exports and widgets -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_open_data_export_has_counts_and_no_personal_data(author: Any, welfare_official: Any) -> None:
    from smartseoul.core.registry import exports

    p = factories.support_by(factories.proposal(author), factories.citizens(50))
    services.answer_create(proposal_id=p.pk, actor=welfare_official, body="검토 결과를 안내드립니다.")
    export = next(e for e in exports() if e.key == "democracy-proposals")
    rows = list(export.rows())
    assert len(rows) == 1
    row = rows[0]
    assert {f.name for f in export.fields} == set(row)
    assert (row["supporters"], row["stage"], row["district_code"]) == (50, "department_answered", "11110")
    assert row["department_answered"] == selectors.clock_date(clock.now())
    text = repr(rows)
    assert author.username not in text and "phone" not in text


@pytest.mark.django_db
def test_widgets(author: Any, welfare_official: Any) -> None:
    from smartseoul.core.registry import Period, WidgetQuery, widgets

    p = factories.support_by(factories.proposal(author), factories.citizens(40))
    now = clock.now()
    q = WidgetQuery(Period(now - timedelta(days=30), now), internal=True)
    by_key = {w.key: w for w in widgets()}
    near = by_key["democracy.near_threshold"].compute(q)
    assert near["items"][0]["title"] == p.title and near["items"][0]["value"] == "40/50"
    factories.support_by(p, factories.citizens(10))
    clock.advance(31 * 86400)
    overdue = by_key["democracy.overdue"].compute(q)
    assert by_key["democracy.overdue"].internal
    assert overdue["value"] == 1 and overdue["by_district"] == {"11110": 1}
    assert by_key["democracy.open"].compute(q)["value"] == 1
