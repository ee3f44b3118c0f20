"""Legal documents of a case: their text, the PDF, numbering, idempotency and
the transition → document table."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess

import pytest
import segno
from django.db import IntegrityError
from django.test import override_settings

from tongban.cases import notices, services
from tongban.cases.models import Case, CaseDocument, DocumentKind, MaterialKind
from tongban.cases.notices import issue as notice_issue
from tongban.cases.services.intake import MaterialInput
from tongban.cases.workflow import TRANSITIONS
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.org.models import Department

ISSUE_FOR_TRANSITION = notices.documents_issue_for_transition


@pytest.fixture(autouse=True)
def _issue_explicitly(monkeypatch):
    """These tests issue documents themselves; the transition services' own
    issuing (tested in test_services) is switched off here."""
    monkeypatch.setattr(notices, "documents_issue_for_transition", lambda **kwargs: [])


K = DocumentKind
PDF = b"%PDF-1.4 test document"
URL = "https://zwfw.example.gov.cn/verify/abcdefghijklmnop/"
NANJING_ACCEPT = "南京市市场监管局受字〔2026〕第"


def submit(world, *, materials=None, item=None, at=0):
    from tongban.core.identifiers import generate_credit_code

    return services.case_submit(
        service_item=item or world.item,
        channel="online",
        applicant_person=world.person,
        form_data={
            "applicant_name": "张伟",
            "credit_code": generate_credit_code("9132010270000001"),
        },
        materials=materials
        if materials is not None
        else [
            MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        now=world.at(days=at),
    )


def accepted(world) -> Case:
    case = submit(world)
    return services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=1))


def decided(world, outcome: str) -> Case:
    case = accepted(world)
    return services.case_decide(
        case_id=case.pk,
        actor=world.reviewer,
        outcome=outcome,
        reason="经营场所符合食品安全要求" if outcome == "granted" else "经营场所与污染源距离不足",
        legal_basis="《食品经营许可和备案管理办法》第十条",
        now=world.at(days=3),
    )


def concluded(world) -> Case:
    case = decided(world, "granted")
    services.case_deliver(
        case_id=case.pk, actor=world.clerk, method="post", tracking_no="SF1234567890",
        now=world.at(days=4),
    )  # fmt: skip
    return services.case_conclude(case_id=case.pk, actor=world.clerk, now=world.at(days=4))


def refused(world) -> Case:
    case = submit(world)
    return services.case_refuse(
        case_id=case.pk,
        actor=world.clerk,
        reason="申请事项不属于本机关职权范围",
        legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
        now=world.at(days=1),
    )


def supplement_requested(world) -> Case:
    case = submit(world, materials=[])
    return services.case_request_supplement(
        case_id=case.pk,
        actor=world.clerk,
        items=[
            {"code": "application", "name": "食品经营许可申请书", "reason": "未提交"},
            {"code": "layout", "name": "经营场所平面布局图", "reason": "未标明比例"},
        ],
        now=world.at(days=1),
    )


CASES_FOR = {
    K.ACCEPTANCE_NOTICE: accepted,
    K.REFUSAL_DECISION: refused,
    K.SUPPLEMENT_NOTICE: supplement_requested,
    K.GRANT_DECISION: lambda w: decided(w, "granted"),
    K.DENIAL_DECISION: lambda w: decided(w, "denied"),
    K.CONCLUSION_NOTICE: concluded,
}


def lines_of(case, kind, *, at=None):
    return notices.notice_lines(
        case, kind, number="测字〔2026〕第000001号", verification_url=URL,
        issued_at=at or dt.datetime(2026, 11, 5, 2, 0, tzinfo=dt.UTC),
    )  # fmt: skip


# ---------------------------------------------------------------- text and PDF


@pytest.mark.parametrize("kind", list(CASES_FOR))
def test_every_kind_of_document_renders_a_pdf_with_its_title_issuer_and_applicant(world, kind):
    case = CASES_FOR[kind](world)
    lines = lines_of(case, kind)
    assert lines[0].startswith(notices.TITLES[kind])
    assert "测字〔2026〕第000001号" in lines
    assert "张伟：" in lines
    assert "南京市市场监督管理局" in lines  # the issuer signs
    assert "2026年11月5日" in lines  # GB/T 9704: no leading zeros
    assert notices.VERIFY_FOOTER in lines
    pdf = notices.render_notice(
        case, kind, number="测字〔2026〕第000001号", verification_url=URL,
        issued_at=world.at(days=3),
    )  # fmt: skip
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    # the CJK font embedded as TrueType (core.pdf_fonts), not one the reader may lack
    assert b"/FontFile2" in pdf and b"NotoSansSC" in pdf and b"/STSong-Light" not in pdf
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdf_text_reads_as_the_lines_built_for_it(world, tmp_path):
    case = refused(world)
    pdf = notices.render_notice(
        case, K.REFUSAL_DECISION, number="测字〔2026〕第000007号", verification_url=URL,
        issued_at=world.at(days=1),
    )  # fmt: skip
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    squeezed = "".join(text.split())
    for expected in (
        "不予受理决定书",
        "测字〔2026〕第000007号",
        "张伟：",
        "行政复议",
        "扫描二维码核验文书真伪",
    ):
        assert expected in squeezed


def test_the_acceptance_notice_cites_article_32_and_gives_the_decision_date(world):
    case = accepted(world)
    text = "".join(lines_of(case, K.ACCEPTANCE_NOTICE))
    assert "《中华人民共和国行政许可法》第三十二条第一款第（五）项" in text
    assert "受理日期为2026年11月3日" in text
    # accepted Tue 3 Nov; 5 working days → Tue 10 Nov 2026
    assert "承诺办理时限为5个工作日，本机关将于2026年11月10日前作出决定" in text
    assert f"办件编号：{case.case_no}" in text


def test_a_refusal_gives_the_reason_the_basis_and_the_remedies(world):
    text = "".join(lines_of(refused(world), K.REFUSAL_DECISION))
    assert "经审查，申请事项不属于本机关职权范围。" in text
    assert "依照《中华人民共和国行政许可法》第三十二条第一款第（二）项的规定" in text
    assert "六十日内依照《中华人民共和国行政复议法》" in text
    assert "六个月内依照《中华人民共和国行政诉讼法》" in text


def test_the_supplement_notice_lists_everything_from_the_latest_request_at_once(world):
    case = supplement_requested(world)
    lines = lines_of(case, K.SUPPLEMENT_NOTICE)
    assert lines[0] == "补正材料通知书（一次性告知）"
    assert "1. 食品经营许可申请书：未提交" in lines
    assert "2. 经营场所平面布局图：未标明比例" in lines
    text = "".join(lines)
    assert "第三十二条第一款第（四）项" in text
    assert "自本机关收到全部补正材料之日起视为收到申请材料" in text
    # 一次性告知 means once: after the supplement, no second notice is issued.
    case = services.case_supplement(
        case_id=case.pk, actor=None, now=world.at(days=2),
        materials=[MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF)],
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        services.case_request_supplement(
            case_id=case.pk, actor=world.clerk, now=world.at(days=3),
            items=[{"code": "layout", "name": "经营场所平面布局图", "reason": "仍未标明比例"}],
        )  # fmt: skip
    assert exc.value.code == "supplement_already_requested"
    assert case.events.filter(action="request_supplement").count() == 1


def test_a_grant_names_the_certificate_and_a_denial_the_remedies(world):
    grant = "".join(lines_of(decided(world, "granted"), K.GRANT_DECISION))
    assert "经审查，经营场所符合食品安全要求" in grant
    assert (
        "依照《食品经营许可和备案管理办法》第十条和《中华人民共和国行政许可法》第三十八条第一款"
        in grant
    )
    assert "十日内向你颁发、送达《食品经营许可证》" in grant
    assert "行政复议" not in grant
    denial = "".join(lines_of(decided(world, "denied"), K.DENIAL_DECISION))
    assert "经审查，经营场所与污染源距离不足。" in denial
    assert "第三十八条第二款的规定，本机关决定不予行政许可" in denial
    assert "六十日内" in denial and "六个月内" in denial


def test_the_conclusion_notice_names_the_delivery_and_the_tracking_number(world):
    text = "".join(lines_of(concluded(world), K.CONCLUSION_NOTICE))
    assert "已于2026年11月6日办结，办理结果为：准予许可" in text
    assert "《食品经营许可证》已于2026年11月6日以邮寄送达方式送达，邮寄单号：SF1234567890" in text


def test_the_date_of_a_document_is_the_date_in_shanghai(world):
    case = accepted(world)
    # 17:00 UTC on 2 Nov is 01:00 on 3 Nov in Shanghai.
    lines = lines_of(case, K.ACCEPTANCE_NOTICE, at=dt.datetime(2026, 11, 2, 17, 0, tzinfo=dt.UTC))
    assert "2026年11月3日" in lines
    assert "2026年11月2日" not in lines


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        (K.ACCEPTANCE_NOTICE, submit),  # not accepted yet
        (K.REFUSAL_DECISION, accepted),  # accepted, not refused
        (K.SUPPLEMENT_NOTICE, accepted),  # no supplement was requested
        (K.GRANT_DECISION, lambda w: decided(w, "denied")),  # the outcome was the other
        (K.DENIAL_DECISION, lambda w: decided(w, "granted")),
        (K.CONCLUSION_NOTICE, lambda w: decided(w, "granted")),  # not concluded
    ],
)
def test_a_document_that_does_not_fit_the_case_is_refused(world, kind, make):
    case = make(world)
    with pytest.raises(DomainError) as exc:
        notices.document_issue(case=case, kind=kind, now=world.at(days=5))
    assert exc.value.code == "case_document_not_applicable"
    assert not CaseDocument.objects.filter(case=case).exists()


def test_the_qr_code_encodes_the_absolute_verification_url(world, monkeypatch):
    seen: list[str] = []
    make = segno.make

    def spy(content, **kwargs):
        seen.append(content)
        return make(content, **kwargs)

    monkeypatch.setattr(segno, "make", spy)
    with override_settings(TONGBAN_PUBLIC_BASE_URL="https://zwfw.example.gov.cn/"):
        document = notices.document_issue(case=accepted(world), kind=K.ACCEPTANCE_NOTICE)
    assert seen == []  # issuing fixes the text; the PDF is drawn after commit
    notices.document_ready(document)
    assert seen == [f"https://zwfw.example.gov.cn/verify/{document.verification_code}/"]
    # The drawn matrix is segno's matrix of that URL (quiet zone drawn separately).
    matrix = notices.qr_matrix(seen[0])
    assert len(matrix) == len(make(seen[0], error="m").matrix)
    assert all(len(row) == len(matrix) for row in matrix)


# ---------------------------------------------------------------- issuing


def test_issuing_stores_the_pdf_with_its_digest_code_and_an_audit_event(world):
    case = accepted(world)
    document = notices.document_issue(case=case, kind=K.ACCEPTANCE_NOTICE, actor=world.clerk,
                                      now=world.at(days=1, hours=1))  # fmt: skip
    document.refresh_from_db()
    assert document.number == NANJING_ACCEPT + "000001号"
    assert document.issued_at == world.at(days=1, hours=1)
    assert len(document.verification_code) == 16
    assert (document.file.name, document.rendered_at) == ("", None)  # drawn after commit
    assert document.content["number"] == document.number  # the text is fixed now
    document = notices.document_ready(document)
    with document.file.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == document.sha256
    name = document.file.name or ""
    assert name.startswith("case-documents/")
    assert f"{case.case_no}-acceptance_notice-v{case.version}-" in name
    event = AuditEvent.objects.get(action="case.document_issue", object_id=document.number)
    assert event.actor == f"user:{world.clerk.pk}"
    assert event.details["case_no"] == case.case_no
    rendered = AuditEvent.objects.get(action="case.document_rendered", object_id=document.number)
    assert rendered.details == {"sha256": document.sha256}
    assert b"/ByteRange" in content  # the department's seal: a PAdES signature


def test_two_documents_of_a_department_in_a_year_get_consecutive_numbers(world):
    first = notices.document_issue(case=accepted(world), kind=K.ACCEPTANCE_NOTICE)
    second = notices.document_issue(case=accepted(world), kind=K.ACCEPTANCE_NOTICE)
    refusal = notices.document_issue(case=refused(world), kind=K.REFUSAL_DECISION)
    assert first.number == NANJING_ACCEPT + "000001号"
    assert second.number == NANJING_ACCEPT + "000002号"
    assert refusal.number == "南京市市场监管局不受字〔2026〕第000001号"  # one series per kind
    assert first.verification_code != second.verification_code


def test_a_new_year_starts_a_new_series(world):
    case = accepted(world)
    notices.document_issue(case=case, kind=K.ACCEPTANCE_NOTICE, now=world.at(days=1))
    # 16:30 UTC on 31 Dec 2026 is already 1 Jan 2027 in Shanghai.
    other = accepted(world)
    moment = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)
    document = notices.document_issue(case=other, kind=K.ACCEPTANCE_NOTICE, now=moment)
    assert document.number == "南京市市场监管局受字〔2027〕第000001号"


def test_reissuing_on_the_same_case_version_returns_the_same_document(world):
    case = accepted(world)
    first = notices.document_issue(case=case, kind=K.ACCEPTANCE_NOTICE, now=world.at(days=1))
    again = notices.document_issue(case=case, kind=K.ACCEPTANCE_NOTICE, now=world.at(days=2))
    assert again.pk == first.pk
    assert CaseDocument.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action="case.document_issue").count() == 1


def test_supplement_notices_of_two_cases_are_numbered_in_one_series(world):
    first = notices.document_issue(case=supplement_requested(world), kind=K.SUPPLEMENT_NOTICE)
    second = notices.document_issue(case=supplement_requested(world), kind=K.SUPPLEMENT_NOTICE)
    assert second.pk != first.pk
    assert [first.number[-7:], second.number[-7:]] == ["000001号", "000002号"]


def test_a_number_taken_by_a_racing_issue_is_retried_with_the_next(world, monkeypatch):
    taken = notices.document_issue(case=accepted(world), kind=K.ACCEPTANCE_NOTICE)
    real = notice_issue._next_number
    calls: list[str] = []

    def racing(department, kind, year):
        # The first attempt sees the series as it was before ``taken`` committed.
        calls.append(kind)
        return taken.number if len(calls) == 1 else real(department, kind, year)

    monkeypatch.setattr(notice_issue, "_next_number", racing)
    document = notices.document_issue(case=accepted(world), kind=K.ACCEPTANCE_NOTICE)
    assert len(calls) == 2
    assert document.number == NANJING_ACCEPT + "000002号"
    assert CaseDocument.objects.filter(number=taken.number).count() == 1


def test_issuing_gives_up_after_repeated_collisions(world, monkeypatch):
    taken = notices.document_issue(case=accepted(world), kind=K.ACCEPTANCE_NOTICE)
    monkeypatch.setattr(notice_issue, "_next_number", lambda *args: taken.number)
    case = accepted(world)
    with pytest.raises(IntegrityError):
        notices.document_issue(case=case, kind=K.ACCEPTANCE_NOTICE)
    assert not CaseDocument.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("name", "short_name", "expected"),
    [
        ("南京市市场监督管理局", "市市场监管局", "南京市市场监管局"),  # relative, city level
        ("赣州市市场监督管理局", "市市场监管局", "赣州市市场监管局"),  # same short name elsewhere
        ("江苏省市场监督管理局", "省市场监管局", "江苏省市场监管局"),  # province level
        ("南京市玄武区市场监督管理局", "市场监管局", "玄武区市场监管局"),  # county level
        ("南京市玄武区政务服务管理办公室", "区政务办", "玄武区政务办"),
        ("国家金融监督管理总局江苏监管局", "江苏金融监管局", "江苏金融监管局"),  # named already
        ("南京市市场监督管理局", "宁市监", "宁市监"),  # a configured 机关代字 is kept
    ],
)
def test_the_issuer_code_names_the_region_when_the_short_name_is_relative(
    world, name, short_name, expected
):
    department = Department.objects.get(name=name)
    department.short_name = short_name
    assert notices.issuer_code(department) == expected


def test_a_legal_entity_is_masked_in_the_middle_and_a_person_to_the_surname():
    assert notices.mask_applicant(Case(applicant_name="张伟")) == "张*"
    assert notices.mask_applicant(Case(applicant_name="欧阳修文")) == "欧阳**"
    entity = Case(applicant_name="南京某某餐饮管理有限公司", applicant_entity_id=1)
    assert notices.mask_applicant(entity) == "南京******有限公司"
    assert notices.mask_applicant(Case(applicant_name="某店", applicant_entity_id=1)) == "某*"


# ---------------------------------------------------------------- transitions


@pytest.mark.parametrize(
    ("action", "outcome", "kinds"),
    [
        ("accept", "", [K.ACCEPTANCE_NOTICE]),
        ("deem_accept", "", [K.ACCEPTANCE_NOTICE]),
        ("refuse", "", [K.REFUSAL_DECISION]),
        ("request_supplement", "", [K.SUPPLEMENT_NOTICE]),
        ("decide", "granted", [K.GRANT_DECISION]),
        ("decide", "denied", [K.DENIAL_DECISION]),
        ("conclude", "granted", [K.CONCLUSION_NOTICE]),
        ("handle_immediately", "granted", [K.GRANT_DECISION, K.CONCLUSION_NOTICE]),
        ("handle_immediately", "denied", [K.DENIAL_DECISION, K.CONCLUSION_NOTICE]),
        ("supplement", "", []),
        ("start_review", "", []),
        ("deliver", "granted", []),
        ("withdraw", "", []),
    ],
)
def test_each_transition_issues_its_documents(action, outcome, kinds):
    assert notices.documents_for_transition(Case(outcome=outcome), action) == kinds


def test_the_table_names_only_real_transitions_and_every_kind():
    assert set(notices.TRANSITION_DOCUMENTS) <= set(TRANSITIONS)
    issued = {k for kinds in notices.TRANSITION_DOCUMENTS.values() for k in kinds}
    assert issued | set(notices.DECISION_DOCUMENTS.values()) == set(K.values)


def test_an_immediate_case_issues_its_decision_and_conclusion(world):
    case = submit(world, item=world.immediate)
    case = services.case_handle_immediately(
        case_id=case.pk, actor=world.clerk, outcome="granted", reason="当场办结",
        legal_basis="《食品经营许可和备案管理办法》", now=world.at(hours=1),
    )  # fmt: skip
    documents = ISSUE_FOR_TRANSITION(
        case=case, action="handle_immediately", actor=world.clerk, now=world.at(hours=1)
    )
    assert [d.kind for d in documents] == [K.GRANT_DECISION, K.CONCLUSION_NOTICE]
    assert [d.number for d in documents] == [
        "南京市市场监管局准字〔2026〕第000001号",
        "南京市市场监管局结字〔2026〕第000001号",
    ]


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None,
    reason="poppler-utils or zbar-tools not installed",
)
def test_the_printed_qr_code_scans_to_the_verification_page(world, tmp_path):
    document = notices.document_issue(case=accepted(world), kind=K.ACCEPTANCE_NOTICE)
    with document.file.open("rb") as stored:
        (tmp_path / "notice.pdf").write_bytes(stored.read())
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "notice.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.strip()
    assert scanned == notices.verification_url(document.verification_code)
