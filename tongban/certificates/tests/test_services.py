"""Issuing, changing and ending certificates; finding a valid one for intake."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.certificates import selectors, workflow
from tongban.certificates.demo import demo_types
from tongban.certificates.keys import signing_key_rotate
from tongban.certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateStatus,
    CertificateType,
    SigningKey,
)
from tongban.certificates.offline import verify_qr
from tongban.certificates.seal import seal_check
from tongban.certificates.services import (
    certificate_annul,
    certificate_cancel,
    certificate_change,
    certificate_issue,
    certificate_revoke,
)
from tongban.certificates.tests.conftest import D0, T0
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent, OutboxMessage

TRANSITION_SERVICES = {
    "cancel": certificate_cancel,
    "revoke": certificate_revoke,
    "annul": certificate_annul,
}


def issue_licence(world, **extra):
    kwargs = {
        "certificate_type": "营业执照",
        "holder_entity": world.entity,
        "face": {"entity_type": "有限责任公司", "business_scope": "软件开发", "unknown": "dropped"},
        "issuing_department": world.samr,
        "source_case_no": "320100260000001",
        "valid_from": D0,
        "now": T0,
    }
    kwargs.update(extra)
    return certificate_issue(**kwargs)


def test_the_demo_catalogue_has_at_least_sixty_real_types(world):
    names = {t["name"] for t in demo_types()}
    assert len(names) >= 60
    for name in (
        "营业执照",
        "居民身份证",
        "居民户口簿",
        "结婚证",
        "离婚证",
        "出生医学证明",
        "不动产权证书",
        "不动产登记证明",
        "食品经营许可证",
        "药品经营许可证",
        "社会保障卡",
        "退役军人优待证",
        "建设工程规划许可证",
        "建筑工程施工许可证",
        "道路运输经营许可证",
    ):
        assert name in names
    assert CertificateType.objects.count() == len(names)
    assert CertificateType.objects.get(name="营业执照").ministry == "国家市场监督管理总局"


def test_issuing_signs_renders_seals_and_records_everything(world):
    certificate = issue_licence(world)
    assert certificate.identifier.startswith("1.2.156.3005.2.")
    assert certificate.identifier.endswith(".001." + certificate.identifier[-1])
    assert certificate.status == CertificateStatus.VALID
    assert certificate.valid_until is None  # 营业执照: 长期
    assert certificate.face_public["统一社会信用代码"] == world.entity.credit_code
    assert "unknown" not in certificate.face_enc
    assert certificate.holder_key == f"E:{world.entity.credit_code}"
    seal = seal_check(certificate.pdf.read())
    assert seal.signed and seal.intact and seal.covers_whole_file
    assert seal.signer == world.samr.name
    claims = verify_qr(certificate.qr_payload, selectors.published_key_map())
    assert claims.identifier == certificate.identifier
    assert CertificateEvent.objects.filter(certificate=certificate, action="issue").count() == 1
    assert AuditEvent.objects.filter(
        action="certificates.issue", object_id=certificate.identifier
    ).exists()
    assert OutboxMessage.objects.filter(event="certificate.issued").count() == len(
        __import__("tongban.core.events", fromlist=["subscribers"]).subscribers(
            "certificate.issued"
        )
    )


def test_serials_continue_within_a_type_issuer_and_year(world):
    first = issue_licence(world)
    second = issue_licence(world)
    assert int(second.lineage[-12:]) == int(first.lineage[-12:]) + 1


def test_the_type_may_be_named_by_alias_or_code(world):
    by_alias = certificate_issue(
        certificate_type="户口簿",
        holder_person=world.person,
        face={"household_no": "320102001"},
        issuing_department=world.samr,
        valid_from=D0,
        now=T0,
    )
    assert by_alias.certificate_type.name == "居民户口簿"
    # The holder's name and number are filled from the person.
    assert by_alias.face_public["公民身份号码"] == world.person.id_number_masked


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"certificate_type": "不存在的证照"}, "certificate_type_not_found"),
        ({"holder_entity": None}, "certificate_holder_invalid"),
        ({"certificate_type": "结婚证"}, "certificate_holder_invalid"),  # a person's certificate
        ({"face": {"registered_capital": "很多"}}, "certificate_face_invalid"),
        ({"face": {"credit_code": "123"}}, "certificate_face_invalid"),
        ({"face": "not a dict"}, "certificate_face_invalid"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_writes_nothing(world, changes, code):
    before = Certificate.objects.count()
    with pytest.raises(DomainError) as caught:
        issue_licence(world, **changes)
    assert caught.value.code == code
    assert caught.value.detail  # Chinese, for the user
    assert Certificate.objects.count() == before


def test_a_type_with_listed_issuers_refuses_another_department(world):
    kind = CertificateType.objects.get(name="营业执照")
    kind.issuing_departments.add(world.other)
    with pytest.raises(DomainError) as caught:
        issue_licence(world)
    assert caught.value.code == "certificate_issuer_not_allowed"


def test_validity_follows_the_type_rule(world):
    food = certificate_issue(
        certificate_type="食品经营许可证",
        holder_entity=world.entity,
        face={"permitted_items": "预包装食品销售"},
        issuing_department=world.samr,
        valid_from=dt.date(2026, 11, 2),
        now=T0,
    )
    assert food.valid_until == dt.date(2031, 11, 1)  # five years, the day before
    with pytest.raises(DomainError) as caught:
        certificate_issue(
            certificate_type="居民身份证",
            holder_person=world.person,
            face={},
            issuing_department=world.samr,
            valid_from=D0,
            now=T0,
        )
    assert caught.value.code == "certificate_validity_invalid"  # 以照面为准: needs the date


def test_a_change_makes_a_new_version_and_supersedes_the_old(world):
    old = issue_licence(world)
    new = certificate_change(
        certificate_id=old.pk,
        face_changes={"business_scope": "软件开发；信息技术咨询"},
        actor=None,
        reason="经营范围变更",
        now=T0 + dt.timedelta(days=1),
    )
    old.refresh_from_db()
    assert new.version == 2 and new.lineage == old.lineage
    assert new.identifier != old.identifier and new.identifier.split(".")[-2] == "002"
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by == new
    answer = selectors.certificate_verify(identifier=old.identifier, today=D0)
    assert not answer.verified and answer.replaced_by == new.identifier


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
@pytest.mark.parametrize("status", [s.value for s in CertificateStatus])
def test_every_transition_from_every_state(world, action, status):
    certificate = issue_licence(world)
    Certificate.objects.filter(pk=certificate.pk).update(status=status)
    allowed = workflow.target(action, status) is not None
    service = TRANSITION_SERVICES.get(action)
    try:
        if service is None:
            certificate_change(
                certificate_id=certificate.pk, face_changes={}, actor=None, reason="变更", now=T0
            )
        else:
            service(certificate_id=certificate.pk, actor=None, reason="依法处理", now=T0)
    except DomainError as exc:
        assert not allowed, exc.detail
        assert exc.code == "invalid_certificate_transition"
        return
    assert allowed
    certificate.refresh_from_db()
    assert certificate.status == workflow.TRANSITIONS[action][1]
    assert CertificateEvent.objects.filter(certificate=certificate, action=action).exists()


@pytest.mark.parametrize("service", [certificate_cancel, certificate_revoke, certificate_annul])
def test_a_reason_is_required(world, service):
    certificate = issue_licence(world)
    with pytest.raises(DomainError) as caught:
        service(certificate_id=certificate.pk, actor=None, reason="  ", now=T0)
    assert caught.value.code == "certificate_reason_required"


def test_a_revoked_certificate_never_verifies_online(world):
    certificate = issue_licence(world)
    certificate_revoke(
        certificate_id=certificate.pk, actor=None, reason="吊销营业执照的行政处罚", now=T0
    )
    answer = selectors.certificate_verify_qr(payload=certificate.qr_payload, today=D0)
    assert not answer.verified and answer.status_label == "已吊销"


def test_an_expired_certificate_shows_as_expired(world):
    food = certificate_issue(
        certificate_type="食品经营许可证",
        holder_entity=world.entity,
        face={"permitted_items": "预包装食品销售"},
        issuing_department=world.samr,
        valid_from=D0,
        now=T0,
    )
    later = dt.date(2032, 1, 1)
    answer = selectors.certificate_verify(identifier=food.identifier, today=later)
    assert answer.status_label == "已过期" and not answer.verified
    found = selectors.certificate_find_valid(
        type_name_or_code="食品经营许可证", holder_entity=world.entity, today=later
    )
    assert found is None


def test_find_valid_answers_for_the_holder_only(world):
    licence = issue_licence(world)
    found = selectors.certificate_find_valid(
        type_name_or_code="营业执照", holder_entity=world.entity, today=D0
    )
    assert found == licence
    assert (
        selectors.certificate_find_valid(
            type_name_or_code=licence.certificate_type.code, holder_entity=world.entity, today=D0
        )
        == licence
    )
    assert (
        selectors.certificate_find_valid(
            type_name_or_code="营业执照", holder_person=world.stranger, today=D0
        )
        is None
    )
    assert (
        selectors.certificate_find_valid(
            type_name_or_code="无此证", holder_entity=world.entity, today=D0
        )
        is None
    )


def test_a_rotated_key_still_verifies_and_new_certificates_use_the_new_key(world):
    before = issue_licence(world)
    new_key = signing_key_rotate(department=world.samr, actor=None, now=T0)
    after = issue_licence(world)
    assert after.key_id == new_key.key_id != before.key_id
    assert SigningKey.objects.get(key_id=before.key_id).status == "retired"
    assert selectors.certificate_verify_qr(payload=before.qr_payload, today=D0).verified


def test_ed25519_is_the_configured_alternative(world, settings):
    settings.TONGBAN_CERTIFICATE_SIGNATURE_ALGORITHM = "Ed25519"
    certificate = issue_licence(world)
    assert certificate.algorithm == "Ed25519"
    assert selectors.certificate_verify_qr(payload=certificate.qr_payload, today=D0).verified
