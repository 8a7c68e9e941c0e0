"""Information Open Plaza: the personal-data check blocks publication until each finding is
redacted or waived with a reason; full-text search; bulk import."""

from __future__ import annotations

from datetime import date

import pytest

from smartseoul.core.models import AuditEvent
from smartseoul.opendata import privacy, selectors, services
from smartseoul.opendata.errors import FieldErrors
from smartseoul.opendata.models import Document

pytestmark = pytest.mark.django_db

VALID_RRN = "900101-1234568"  # birth date 1990-01-01 with a correct check digit


def test_rrn_checksum():
    assert privacy.rrn_is_valid(VALID_RRN)
    assert privacy.rrn_is_valid("9001011234568")
    assert not privacy.rrn_is_valid("900101-1234567")  # wrong check digit
    assert not privacy.rrn_is_valid("901301-1234568")  # month 13
    assert not privacy.rrn_is_valid("900101-9234568")  # no such century digit


def test_finder_kinds_and_masking():
    text = (
        f"주민번호 {VALID_RRN}, 휴대폰 010-1234-5678, 메일 kim@example.com, 담당 official@seoul.go.kr, "
        "국민은행 계좌 123456-01-234567, 대표전화 02-120-0000, 날짜 2024-01-02"
    )
    hits = privacy.find(text)
    assert [h.kind for h in hits] == ["rrn", "phone", "email", "bank_account"]
    excerpt = privacy.masked_excerpt(text, hits[0])
    assert VALID_RRN not in excerpt and "010-1234-5678" not in excerpt


@pytest.fixture
def officer(city, make_user):
    return make_user("clerk", role="official", department="seoul-welfare")


def _doc(officer, body, number="복지-1", **extra):
    fields = {"title": "회의록", "doc_type": "minutes", **extra}
    return services.document_create(
        actor=officer,
        number=number,
        body=body,
        department_code="seoul-welfare",
        produced_on=date(2025, 7, 1),
        **fields,
    )


def test_a_valid_resident_number_blocks_publication_until_redacted(officer):
    doc = _doc(officer, f"대상자 주민등록번호 {VALID_RRN} 확인")
    with pytest.raises(Exception) as err:
        services.document_publish(actor=officer, document=doc)
    assert getattr(err.value, "code", "") == "personal_data"
    doc.refresh_from_db()
    assert doc.status == "blocked" and doc.published_at is None
    assert not selectors.documents_published().exists()
    finding = doc.findings.get()
    assert VALID_RRN not in finding.excerpt
    services.document_redact(actor=officer, finding=finding)
    doc.refresh_from_db()
    assert VALID_RRN not in doc.body and "******-*******" in doc.body
    services.document_publish(actor=officer, document=doc)
    doc.refresh_from_db()
    assert doc.status == "published"
    assert AuditEvent.objects.filter(action="opendata.document_redact").exists()


def test_an_invalid_checksum_is_not_a_finding(officer):
    doc = _doc(officer, "관리번호 900101-1234567")
    assert not doc.findings.exists()
    services.document_publish(actor=officer, document=doc)


def test_waiver_needs_a_reason_and_is_audited(officer):
    doc = _doc(officer, "문의: manager@example.com")
    finding = doc.findings.get()
    with pytest.raises(FieldErrors):
        services.document_waive(actor=officer, finding=finding, reason="")
    services.document_waive(actor=officer, finding=finding, reason="공개된 민간 위탁기관 대표 메일")
    services.document_publish(actor=officer, document=doc)
    event = AuditEvent.objects.get(action="opendata.document_waive")
    assert event.details["reason"] == "공개된 민간 위탁기관 대표 메일"
    assert "manager@example.com" not in str(event.details)


def test_closed_documents_need_a_legal_ground_and_hide_the_body(officer):
    with pytest.raises(FieldErrors):
        services.document_create(
            actor=officer,
            number="x-1",
            title="비공개",
            doc_type="approval",
            department_code="seoul-welfare",
            produced_on=date(2025, 1, 1),
            disclosure="closed",
        )
    doc = services.document_create(
        actor=officer,
        number="x-2",
        title="비공개 문서",
        body=f"번호 {VALID_RRN}",
        doc_type="approval",
        department_code="seoul-welfare",
        produced_on=date(2025, 1, 1),
        disclosure="closed",
        legal_ground="art9-1-6",
    )
    services.document_publish(actor=officer, document=doc)  # the body is not published, so no finding blocks it
    assert selectors.documents_published(q="비공개").count() == 1
    assert selectors.documents_published(q="번호").count() == 0


def test_document_search_is_korean_aware(officer):
    doc = _doc(officer, "예산을 편성하였습니다")
    services.document_publish(actor=officer, document=doc)
    assert list(selectors.documents_published(q="예산")) == [doc]


def test_bulk_import_reports_bad_lines(officer, tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    (files / "a.txt").write_text(f"첨부 {VALID_RRN}", encoding="utf-8")
    csv_path = tmp_path / "docs.csv"
    csv_path.write_text(
        "number,title,doc_type,department_code,produced_on,disclosure,legal_ground,body,attachments\n"
        "A-1,예산 회의,minutes,seoul-welfare,2025-01-02,open,,내용,\n"
        "A-2,첨부 있음,approval,seoul-welfare,2025-01-03,open,,본문,a.txt\n"
        "A-3,잘못된 날짜,approval,seoul-welfare,2025-13-40,open,,본문,\n"
        "A-4,없는 첨부,approval,seoul-welfare,2025-01-03,open,,본문,missing.txt\n",
        encoding="cp949",
    )
    seen = []
    summary = services.documents_import(
        actor=officer,
        csv_path=csv_path,
        files_dir=files,
        publish=True,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert (summary.created, summary.published, summary.blocked) == (2, 1, 1)
    assert [e["line"] for e in summary.errors] == [4, 5]
    assert seen[-1] == (4, 4)
    assert Document.objects.get(number="A-2").status == "blocked"


def test_an_unreadable_public_attachment_blocks_publication_until_checked_by_hand(officer):
    pdf = b"%PDF-1.7\n" + f"(주민등록번호 {VALID_RRN})".encode("utf-16-be") + b"\n%%EOF"
    doc = _doc(officer, "첨부 참조", "복지-9", title="지원 대상자 명단", doc_type="approval",
               attachments=[services.AttachmentIn(name="명단.pdf", content=pdf)])
    finding = doc.findings.get()
    assert finding.kind == services.UNSCANNED and finding.attachment.name == "명단.pdf"
    with pytest.raises(Exception) as err:
        services.document_publish(actor=officer, document=doc)
    assert getattr(err.value, "code", "") == "personal_data"
    assert not selectors.documents_published().exists()
    with pytest.raises(Exception) as err:  # nothing to mask in a file we cannot read
        services.document_redact(actor=officer, finding=finding)
    assert getattr(err.value, "code", "") == "personal_data"
    services.document_waive(actor=officer, finding=finding, reason="담당자가 열람하여 개인정보 없음을 확인함")
    services.document_scan(document=doc)  # a re-scan keeps the hand check
    services.document_publish(actor=officer, document=doc)
    doc.refresh_from_db()
    assert doc.status == "published"


def test_a_withheld_attachment_needs_no_hand_check(officer):
    doc = _doc(officer, "첨부는 비공개", "복지-10", disclosure="partial", legal_ground="art9-1-6",
               attachments=[services.AttachmentIn(name="내부.hwp", content=b"HWP Document File", public=False)])
    assert not doc.findings.exists()
