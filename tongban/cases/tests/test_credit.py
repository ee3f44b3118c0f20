"""联合惩戒 at intake and the 告知承诺 post-check feeding credit (issue 17, R-CR-1)."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import services
from tongban.cases.models import Case, MaterialKind, PostCheckStatus
from tongban.cases.services.aftercare import post_check_record
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests.test_services import PDF, submit
from tongban.core.errors import DomainError
from tongban.credit import selectors
from tongban.credit.models import ClassChange, CommitmentStatus, CreditCommitment, ListEntry
from tongban.credit.services.lists import list_entry_add
from tongban.credit.services.repairs import repair_apply, repair_review
from tongban.credit.tests.conftest import make_lists

ID_NUMBER = "11010519491231002X"  # world.person


def _commitment_item(world):
    from tongban.catalog.services import basic_item_create, guide_load_published
    from tongban.catalog.tests.guide_factory import valid_guide

    basic = basic_item_create(
        code="010000000199",
        name="告知承诺事项",
        item_type="01",
        legal_basis="《国务院关于深化“证照分离”改革的通知》",
        levels="234",
    )
    return guide_load_published(
        basic_item=basic,
        department=world.item.department,
        content=valid_guide(
            name="告知承诺事项",
            modes=["one_visit", "commitment", "deferred_materials"],
            commitment_text="本人承诺所填信息真实，符合许可条件。",
        ),
    )


def _blacklist(world):
    make_lists(load_org=False)
    return list_entry_add(
        list_code="serious-dishonest",
        subject_kind="person",
        subject_code=ID_NUMBER,
        reason="以欺骗手段取得许可",
        legal_basis="《行政许可法》第七十九条",
        valid_until=dt.date(2027, 11, 1),
        actor=None,
        now=world.at(),
    )


def test_a_black_listed_applicant_is_refused_commitment_with_the_list_and_after_repair_is_taken(
    world,
):
    item = _commitment_item(world)
    entry = _blacklist(world)
    assert entry.subject_code == world.person.id_number_token
    before = Case.objects.count()
    with pytest.raises(DomainError) as refused:
        submit(world, item=item, commitment=True, materials=[])
    error = refused.value
    assert error.code == "credit_restricted" and error.status == 403
    assert "严重违法失信名单" in error.detail and "第七十九条" in error.detail
    assert "信用修复" in error.detail  # the way out
    assert error.extra["restrictions"][0]["department"] == "南京市市场监督管理局"
    assert Case.objects.count() == before and not CreditCommitment.objects.exists()
    # 容缺受理 is refused too; an ordinary submission is not.
    deferred = [
        MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
        MaterialInput(code="layout", kind=MaterialKind.DEFERRED),
    ]
    with pytest.raises(DomainError) as refused:
        submit(world, item=item, materials=deferred)
    assert refused.value.code == "credit_restricted" and "容缺受理" in refused.value.detail
    assert submit(world, item=item).commitment is False
    # 信用修复: applied, approved, removed today; then 告知承诺 is taken.
    (repair,) = repair_apply(
        subject_code=entry.subject_code, reason="已整改", evidence="整改报告", now=world.at(hours=1)
    )
    repair_review(
        repair=repair, approve=True, note="整改到位", reviewer=None, now=world.at(hours=2)
    )
    entry.refresh_from_db()
    assert entry.status == "removed" and entry.removed_on == dt.date(2026, 11, 2)
    case = submit(world, item=item, commitment=True, materials=[], now=world.at(hours=3))
    assert case.commitment is True
    assert CreditCommitment.objects.get(case_no=case.case_no).text.startswith("本人承诺")


def test_a_failed_post_check_lists_the_applicant_and_lowers_its_class(
    world, django_capture_on_commit_callbacks
):
    make_lists(load_org=False)
    item = _commitment_item(world)
    token = world.person.id_number_token
    assert selectors.class_of(token) == "A"
    case = submit(world, item=item, commitment=True, materials=[])
    case = services.case_grant_on_commitment(
        case_id=case.pk, actor=world.clerk, legal_basis="《食品安全法》", now=world.at(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):  # credit hears it through the outbox
        check = post_check_record(
            case_no=case.case_no,
            passed=False,
            note="现场核查：经营场所与承诺不符",
            actor=world.clerk,
            now=world.at(days=10),
        )
    assert check.status == PostCheckStatus.FAILED
    commitment = CreditCommitment.objects.get(case_no=case.case_no)
    assert commitment.status == CommitmentStatus.BROKEN and commitment.record is not None
    assert commitment.record.source == "commitment_breach"
    assert commitment.record.severity == "serious"
    entry = ListEntry.objects.get(subject_code=token)
    assert entry.credit_list.code == "commitment-breach"
    # Rule 2026.1: 100 - 40 = 60 (C), and black-listed, so D.
    change = ClassChange.objects.filter(subject_code=token).latest("changed_at")
    assert (change.to_class, change.score) == ("D", 60)
    assert change.record_ids == [commitment.record.pk]
    assert selectors.class_of(token) == "D"
    assert selectors.restrictions(token, measure="commitment_intake", today=dt.date(2026, 11, 12))
    assert case.events.filter(action="post_check").exists()
    # Once only; another department's clerk does not see the case.
    with pytest.raises(DomainError) as again:
        post_check_record(case_no=case.case_no, passed=True, note="x", actor=world.clerk)
    assert again.value.code == "post_check_closed"
    with pytest.raises(DomainError) as other:
        post_check_record(case_no=case.case_no, passed=True, note="x", actor=world.other_clerk)
    assert other.value.code == "not_found"


def test_a_passed_post_check_keeps_the_class(world, django_capture_on_commit_callbacks):
    make_lists(load_org=False)
    item = _commitment_item(world)
    case = submit(world, item=item, commitment=True, materials=[])
    services.case_grant_on_commitment(
        case_id=case.pk, actor=world.clerk, legal_basis="《食品安全法》", now=world.at(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_check_record(
            case_no=case.case_no,
            passed=True,
            note="核查属实",
            actor=world.clerk,
            now=world.at(days=3),
        )
    assert CreditCommitment.objects.get(case_no=case.case_no).status == CommitmentStatus.KEPT
    assert selectors.class_of(world.person.id_number_token) == "A"
    assert not ListEntry.objects.exists()


def test_an_applicant_listed_after_submitting_is_refused_tolerance_at_acceptance(world):
    item = _commitment_item(world)
    application = MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF)
    deferred_at_intake = submit(
        world, item=item, materials=[application, MaterialInput(code="layout", kind="deferred")]
    )
    asks_at_acceptance = submit(world, item=item, materials=[application])
    complete = submit(world, item=item)
    entry = _blacklist(world)  # listed after all three were taken
    for case, codes in ((deferred_at_intake, None), (asks_at_acceptance, ["layout"])):
        with pytest.raises(DomainError) as refused:
            services.case_accept(
                case_id=case.pk, actor=world.clerk, deferred_codes=codes, now=world.at(hours=1)
            )
        assert refused.value.code == "credit_restricted"
        assert "容缺受理" in refused.value.detail and "信用修复" in refused.value.detail
        case.refresh_from_db()
        assert case.status == "submitted" and case.accepted_on is None
        assert case.deferred_due_on is None
    # Without 容缺 the listed applicant's case is accepted as any other.
    accepted = services.case_accept(case_id=complete.pk, actor=world.clerk, now=world.at(hours=1))
    assert accepted.status == "accepted"
    # After the repair, the 容缺 is taken at acceptance.
    (repair,) = repair_apply(
        subject_code=entry.subject_code, reason="已整改", evidence="整改报告", now=world.at(hours=2)
    )
    repair_review(
        repair=repair, approve=True, note="整改到位", reviewer=None, now=world.at(hours=2)
    )
    again = services.case_accept(
        case_id=deferred_at_intake.pk, actor=world.clerk, now=world.at(hours=3)
    )
    assert again.status == "accepted"
