"""Case services: the whole path, the clock facts, and every transition."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import notices, services
from tongban.cases.models import Case, CaseEvent, CaseStatus, MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.cases.workflow import REFUSALS, TRANSITIONS
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent, Notification, OutboxMessage

PDF = b"%PDF-1.4 test document"


def _form():
    from tongban.core.identifiers import generate_credit_code

    return {"applicant_name": "张伟", "credit_code": generate_credit_code("9132010270000001")}


def submit(world, *, item=None, materials=None, at=0, now=None, **kwargs):
    return services.case_submit(
        service_item=item or world.item,
        channel="online",
        applicant_person=world.person,
        form_data=_form(),
        materials=materials
        if materials is not None
        else [
            MaterialInput(
                code="application", kind=MaterialKind.UPLOAD, content=PDF, file_name="申请书.pdf"
            ),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        now=now or world.at(days=at),
        **kwargs,
    )


def test_a_submitted_case_has_a_number_a_snapshot_and_its_acceptance_deadline(world):
    case = submit(world)
    assert case.case_no.startswith("320100" + "20261102")
    assert case.case_no.endswith("000001")
    assert case.status == CaseStatus.SUBMITTED
    assert case.guide_version_id == world.item.current_version_id
    assert case.rules["promised_limit"] == {"value": 5, "unit": "working_days"}
    # Mon 2 Nov 2026 + 5 working days → Mon 9 Nov 2026
    assert case.acceptance_deadline == dt.date(2026, 11, 9)
    kinds = dict(case.materials.values_list("code", "kind"))
    assert kinds == {"application": "upload", "layout": "upload"}
    # 两个免于提交 is looked up, never assumed: a person holds no 营业执照.
    assert [(e["code"], e["found"]) for e in case.exemptions] == [("business_licence", False)]
    assert submit(world).case_no.endswith("000002")
    assert AuditEvent.objects.filter(action="case.submit").count() == 2


def test_an_invalid_form_lists_every_field_and_saves_nothing(world):
    with pytest.raises(DomainError) as exc:
        services.case_submit(
            service_item=world.item,
            channel="online",
            applicant_person=world.person,
            form_data={"applicant_name": "李四", "credit_code": "123", "nonsense": 1},
            now=world.at(),
        )
    assert exc.value.code == "case_form_invalid"
    codes = {f["field"]: f["code"] for f in exc.value.fields}
    assert codes == {
        "form.applicant_name": "not_applicant",  # 张伟 applies: not in another's name
        "form.credit_code": "invalid",
        "form.nonsense": "unknown_field",
    }
    assert Case.objects.count() == 0


def test_an_upload_that_is_not_a_document_is_refused(world):
    with pytest.raises(DomainError) as exc:
        submit(
            world,
            materials=[
                MaterialInput(
                    code="application", kind="upload", content=b"MZ\x90\x00 an executable"
                )
            ],
        )
    assert exc.value.code == "case_upload_invalid"
    assert Case.objects.count() == 0


def test_the_whole_path_from_submission_to_conclusion(world):
    case = submit(world)
    case = services.case_accept(
        case_id=case.pk, actor=world.clerk, expected_version=1, now=world.at(days=1)
    )
    # accepted Tue 3 Nov; 5 working days → Tue 10 Nov 2026
    assert case.decision_deadline == dt.date(2026, 11, 10)
    case = services.case_start_review(case_id=case.pk, actor=world.reviewer, now=world.at(days=2))
    case = services.case_decide(
        case_id=case.pk,
        actor=world.reviewer,
        outcome="granted",
        reason="符合条件",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        now=world.at(days=3),
    )
    # decided Thu 5 Nov; 10 working days → Thu 19 Nov 2026
    assert case.delivery_deadline == dt.date(2026, 11, 19)
    case = services.case_deliver(
        case_id=case.pk,
        actor=world.clerk,
        method="post",
        tracking_no="SF1234567890",
        now=world.at(days=4),
    )
    case = services.case_conclude(case_id=case.pk, actor=world.clerk, now=world.at(days=4))
    assert case.status == CaseStatus.CONCLUDED
    actions = list(case.events.values_list("action", flat=True))
    assert [a for a in actions if a != "deadline_change"] == [
        "submit",
        "accept",
        "start_review",
        "decide",
        "deliver",
        "conclude",
    ]
    changes = case.events.filter(action="deadline_change").values_list("details__field", flat=True)
    assert set(changes) == {"acceptance_deadline", "decision_deadline", "delivery_deadline"}
    # The applicant was told at each step, by SMS through the outbox.
    purposes = list(
        Notification.objects.filter(object_type="case")
        .order_by("id")
        .values_list("purpose", flat=True)
    )
    assert purposes == ["case.submit", "case.accept", "case.decide", "case.deliver"]
    assert OutboxMessage.objects.filter(event="notification.created").count() == 4


def test_a_supplement_starts_the_clock_when_the_materials_are_complete(world):
    case = submit(world, materials=[])
    with pytest.raises(DomainError) as exc:
        services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=1))
    assert exc.value.code == "case_materials_incomplete"
    case = services.case_request_supplement(
        case_id=case.pk,
        actor=world.clerk,
        now=world.at(days=1),
        items=[
            {"code": "application", "name": "食品经营许可申请书", "reason": "未提交"},
            {"code": "layout", "name": "经营场所平面布局图", "reason": "未提交"},
        ],
    )
    assert case.status == CaseStatus.SUPPLEMENT_REQUESTED
    assert case.decision_deadline is None  # the clock has not started
    case = services.case_supplement(
        case_id=case.pk,
        actor=None,
        now=world.at(days=8),  # Tue 10 Nov
        materials=[
            MaterialInput(code="application", kind="upload", content=PDF),
            MaterialInput(code="layout", kind="upload", content=PDF),
        ],
    )
    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=9))
    # complete Tue 10 Nov → 5 working days → Tue 17 Nov 2026
    assert case.decision_deadline == dt.date(2026, 11, 17)


def test_an_unanswered_application_is_deemed_accepted_on_the_day_of_receipt(world):
    case = submit(world)
    with pytest.raises(DomainError):
        services.case_deem_accept(case_id=case.pk, now=world.at(days=7))  # Mon 9 Nov: not past
    case = services.case_deem_accept(case_id=case.pk, now=world.at(days=8))  # Tue 10 Nov
    assert case.deemed_accepted and case.accepted_on == dt.date(2026, 11, 2)
    # counted from receipt Mon 2 Nov: 5 working days → Mon 9 Nov (already overdue)
    assert case.decision_deadline == dt.date(2026, 11, 9)


def test_a_suspension_stops_the_clock_and_an_extension_needs_the_head(world):
    case = submit(world)
    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=1))
    case = services.case_start_review(case_id=case.pk, actor=world.reviewer, now=world.at(days=1))
    case = services.case_suspend(
        case_id=case.pk,
        actor=world.reviewer,
        reason="inspection",
        note="现场勘验",
        now=world.at(days=2),
    )  # Wed 4 Nov
    case = services.case_resume(case_id=case.pk, actor=world.reviewer, now=world.at(days=7))
    # Mon 9 Nov: Wed 4 – Fri 6 Nov (3 working days) did not count → Fri 13 Nov 2026
    assert case.decision_deadline == dt.date(2026, 11, 13)
    with pytest.raises(DomainError) as not_head:
        services.case_extend(
            case_id=case.pk, actor=world.reviewer, days=5, reason="复杂", now=world.at(days=8)
        )
    assert not_head.value.code == "permission_denied"
    case = services.case_extend(
        case_id=case.pk, actor=world.head, days=5, reason="需专家论证", now=world.at(days=8)
    )
    assert case.decision_deadline == dt.date(2026, 11, 20)  # + 5 working days
    with pytest.raises(DomainError) as twice:
        services.case_extend(
            case_id=case.pk, actor=world.head, days=1, reason="再延", now=world.at(days=9)
        )
    assert twice.value.code == "case_extension_not_allowed"
    reasons = case.events.filter(action="deadline_change").values_list("reason", flat=True)
    assert "延长期限" in reasons


def test_deferred_materials_block_the_decision_until_they_come(world):
    case = submit(world, materials=[MaterialInput(code="application", kind="upload", content=PDF)])
    case = services.case_accept(
        case_id=case.pk, actor=world.clerk, deferred_codes=["layout"], now=world.at(days=1)
    )
    assert case.deferred_due_on == dt.date(2026, 11, 17)  # Tue 3 Nov + 10 working days
    with pytest.raises(DomainError) as exc:
        services.case_decide(
            case_id=case.pk,
            actor=world.reviewer,
            outcome="granted",
            reason="符合",
            legal_basis="《食品安全法》",
            now=world.at(days=2),
        )
    assert exc.value.code == "case_deferred_outstanding"


def test_an_immediate_item_is_concluded_in_one_action(world):
    case = submit(world, item=world.immediate)
    case = services.case_handle_immediately(
        case_id=case.pk,
        actor=world.clerk,
        outcome="granted",
        reason="当场办结",
        legal_basis="《食品经营许可和备案管理办法》",
        now=world.at(hours=1),
    )
    assert case.status == CaseStatus.CONCLUDED
    assert case.accepted_on == case.decided_on == dt.date(2026, 11, 2)
    promised = submit(world)
    with pytest.raises(DomainError) as exc:
        services.case_handle_immediately(
            case_id=promised.pk, actor=world.clerk, outcome="granted", reason="x", legal_basis="y"
        )
    assert exc.value.code == "case_not_immediate"


def test_a_stale_version_is_refused_and_changes_nothing(world):
    case = submit(world)
    services.case_accept(case_id=case.pk, actor=world.clerk, expected_version=1)
    with pytest.raises(DomainError) as exc:
        services.case_accept(case_id=case.pk, actor=world.other_clerk, expected_version=1)
    assert exc.value.code == "case_version_mismatch"
    assert exc.value.status == 412
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1


ACTIONS = {
    "accept": lambda w, c: services.case_accept(case_id=c, actor=w.clerk),
    "refuse": lambda w, c: services.case_refuse(case_id=c, actor=w.clerk, reason="不属本部门"),
    "request_supplement": lambda w, c: services.case_request_supplement(
        case_id=c, actor=w.clerk, items=[{"code": "layout", "name": "布局图"}]
    ),
    "supplement": lambda w, c: services.case_supplement(
        case_id=c, actor=None, materials=[MaterialInput(code="layout", kind="upload", content=PDF)]
    ),
    "start_review": lambda w, c: services.case_start_review(case_id=c, actor=w.reviewer),
    "suspend": lambda w, c: services.case_suspend(case_id=c, actor=w.reviewer, reason="testing"),
    "resume": lambda w, c: services.case_resume(case_id=c, actor=w.reviewer),
    "extend": lambda w, c: services.case_extend(case_id=c, actor=w.head, days=3, reason="复杂"),
    "decide": lambda w, c: services.case_decide(
        case_id=c, actor=w.reviewer, outcome="denied", reason="不符合", legal_basis="《食品安全法》"
    ),
    "deliver": lambda w, c: services.case_deliver(case_id=c, actor=w.clerk, method="window"),
    "conclude": lambda w, c: services.case_conclude(case_id=c, actor=w.clerk),
    "withdraw": lambda w, c: services.case_withdraw(case_id=c, actor=None),
    "grant_on_commitment": lambda w, c: services.case_grant_on_commitment(
        case_id=c, actor=w.clerk, legal_basis="《食品安全法》"
    ),
    "supply_deferred": lambda w, c: services.case_supply_deferred(
        case_id=c, actor=None, materials=[MaterialInput(code="layout", kind="upload", content=PDF)]
    ),
}
# Allowed by the table, but with a precondition this generic case does not meet
# (no commitment; nothing deferred): they must fail for that reason, not the table.
PRECONDITIONED = {"grant_on_commitment", "supply_deferred"}  # fmt: skip
STATES = list(CaseStatus.values)


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("state", STATES)
def test_every_transition_is_allowed_or_refused_by_the_table(world, state, action, monkeypatch):
    # The day after receipt: inside every period of the law.
    monkeypatch.setattr(clock, "now", lambda: world.at(days=1))
    case = submit(world)
    Case.objects.filter(pk=case.pk).update(
        status=state, accepted_on=dt.date(2026, 11, 2), decided_on=dt.date(2026, 11, 3)
    )
    sources, _ = TRANSITIONS[action]
    if state in sources and action in PRECONDITIONED:
        with pytest.raises(DomainError) as exc:
            ACTIONS[action](world, case.pk)
        assert exc.value.code != "invalid_case_transition"
    elif state in sources:
        after = ACTIONS[action](world, case.pk)
        assert after.version == case.version + 1
    else:
        with pytest.raises(DomainError) as exc:
            ACTIONS[action](world, case.pk)
        # A refusal the law explains (一次性告知) has its own code.
        error = REFUSALS.get((action, state))
        assert exc.value.code == (error[0].code if error else "invalid_case_transition")
        assert exc.value.status == 409


def test_each_step_issues_its_notice_with_a_verification_code(world):
    case = submit(world)
    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=1))
    case = services.case_decide(
        case_id=case.pk,
        actor=world.reviewer,
        outcome="denied",
        reason="场所不符合要求",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        now=world.at(days=2),
    )
    kinds = list(case.documents.order_by("issued_at", "id").values_list("kind", flat=True))
    assert kinds == ["acceptance_notice", "denial_decision"]
    document = notices.document_ready(case.documents.get(kind="denial_decision"))
    assert document.file.read().startswith(b"%PDF")
    assert len(document.verification_code) >= 16


def test_deferred_materials_handed_in_later_let_the_case_be_decided(world):
    case = submit(world, materials=[MaterialInput(code="application", kind="upload", content=PDF)])
    case = services.case_accept(
        case_id=case.pk, actor=world.clerk, deferred_codes=["layout"], now=world.at(days=1)
    )
    case = services.case_supply_deferred(
        case_id=case.pk,
        actor=None,
        now=world.at(days=3),
        materials=[MaterialInput(code="layout", kind="upload", content=PDF)],
    )
    assert not case.materials.filter(kind=MaterialKind.DEFERRED).exists()
    case = services.case_decide(
        case_id=case.pk,
        actor=world.reviewer,
        outcome="granted",
        reason="符合",
        legal_basis="《食品安全法》",
        now=world.at(days=4),
    )
    assert case.status == CaseStatus.DECIDED


def test_a_commitment_is_granted_at_once_with_a_post_check_due(world):
    from tongban.catalog.services import basic_item_create, guide_load_published
    from tongban.catalog.tests.guide_factory import valid_guide

    basic = basic_item_create(
        code="010000000199",
        name="告知承诺事项",
        item_type="01",
        legal_basis="《国务院关于深化“证照分离”改革的通知》",
        levels="234",
    )
    item = guide_load_published(
        basic_item=basic,
        department=world.item.department,
        content=valid_guide(
            name="告知承诺事项",
            modes=["one_visit", "commitment"],
            commitment_text="本人承诺所填信息真实，符合许可条件。",
        ),
    )
    case = submit(world, item=item, commitment=True, materials=[])
    assert set(case.materials.values_list("kind", flat=True)) == {"commitment"}
    case = services.case_grant_on_commitment(
        case_id=case.pk, actor=world.clerk, legal_basis="《食品安全法》", now=world.at(hours=1)
    )
    assert case.status == CaseStatus.DECIDED and case.outcome == "granted"
    # Mon 2 Nov 2026 + 60 days → Fri 1 Jan 2027 (calendar days: no 2027 data needed)
    assert case.post_check.due_on == dt.date(2027, 1, 1)
    assert set(case.documents.values_list("kind", flat=True)) == {
        "acceptance_notice",
        "grant_decision",
    }
    plain = submit(world)
    with pytest.raises(DomainError) as exc:
        services.case_grant_on_commitment(case_id=plain.pk, actor=world.clerk, legal_basis="x")
    assert exc.value.code == "case_materials_incomplete"


def test_a_village_item_is_numbered_in_its_countys_series(world):
    """A 12-digit 统计用区划代码 would not fit the 24-character case number."""
    from tongban.catalog.services import basic_item_create, guide_load_published
    from tongban.catalog.tests.guide_factory import valid_guide
    from tongban.org.demo import credit_code_for
    from tongban.org.selectors import region_get
    from tongban.org.services import department_create

    village = "320102005001"  # 玄武区玄武门街道百子亭社区
    committee = department_create(
        name="百子亭社区居民委员会",
        credit_code=credit_code_for(name="百子亭社区居民委员会", region_code=village),
        region=region_get(village),
    )
    basic = basic_item_create(
        code="200000000301",
        name="城乡居民基本医疗保险参保登记",
        item_type="20",
        legal_basis="《中华人民共和国社会保险法》第二十五条",
        levels="23456",
    )
    item = guide_load_published(
        basic_item=basic, department=committee, content=valid_guide(name=basic.name)
    )

    first, second = submit(world, item=item), submit(world, item=item)

    assert first.case_no == "320102" + "20261102" + "000001"
    assert second.case_no.endswith("000002")
    assert first.region_path.endswith(f"/{village}/")


def _granted(world, *, entity=None):
    if entity is None:
        case = submit(world)
    else:
        case = services.case_submit(
            service_item=world.item,
            channel="online",
            applicant_entity=entity,
            agent_person=world.person,
            form_data={"applicant_name": entity.name, "credit_code": entity.credit_code},
            materials=[
                MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
                MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
            ],
            now=world.at(),
        )
    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=1))
    return services.case_decide(
        case_id=case.pk,
        actor=world.reviewer,
        outcome="granted",
        reason="经营场所符合要求",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        now=world.at(days=2),
    )


def test_a_grant_issues_the_electronic_certificate_and_the_decision_names_it(world):
    from tongban.certificates.demo import demo_certificate_types_load
    from tongban.certificates.models import Certificate
    from tongban.core.identifiers import generate_credit_code
    from tongban.identity.services import legal_entity_register

    demo_certificate_types_load()
    entity = legal_entity_register(
        credit_code=generate_credit_code("9132010270000077"), name="南京甲餐饮有限公司",
        legal_representative=world.person,
    )  # fmt: skip
    case = _granted(world, entity=entity)

    certificate = Certificate.objects.get(source_case_no=case.case_no)
    assert certificate.status == "valid"
    decide = CaseEvent.objects.get(case=case, action="decide")
    assert decide.details["certificate"] == certificate.identifier
    at = world.at(days=2)
    lines = "".join(
        notices.notice_lines(
            case, "grant_decision", number="x", verification_url="https://x/", issued_at=at
        )
    )
    assert f"证照标识：{certificate.identifier}" in lines


def test_a_certificate_that_cannot_be_issued_leaves_the_decision_and_says_why(world):
    case = _granted(world)  # no certificate types loaded: 食品经营许可证 is unknown

    assert case.status == CaseStatus.DECIDED and case.outcome == "granted"
    decide = CaseEvent.objects.get(case=case, action="decide")
    assert decide.details["certificate_type"] == "食品经营许可证"
    assert decide.details["certificate_error"]
