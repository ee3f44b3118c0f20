"""两个免于提交 at intake: found with its source, or not found with the reason; logged."""

from __future__ import annotations

from tongban.identity.models import Person
from tongban.identity.selectors import person_find_by_id_number
from tongban.sharing import hooks
from tongban.sharing.hooks import CertificateHolding
from tongban.sharing.models import AccessLogEntry, CallKind, Outcome
from tongban.sharing.services import sharing_lookup_for_material

from .conftest import LI_NA, T0, WANG_FANG, ZHANG_WEI


def applicant(id_number: str) -> Person:
    found = person_find_by_id_number(id_number)
    assert found is not None
    return found


def lookup(world, hint, **who):
    return sharing_lookup_for_material(
        material_source_hint=hint, department=world.market, case_no="32010020261102000009",
        actor=world.citizen, now=T0, **who,
    )  # fmt: skip


def test_a_granted_material_is_found_with_its_source_and_logged_with_the_case(world):
    world.grant("JS-GA-RK-001", ["name"])
    found = lookup(world, "居民身份证", applicant_person=applicant(ZHANG_WEI))
    assert found.found and found.source == "sharing" and not found.code
    assert found.source_label == "人口基础信息（江苏省公安厅）"
    assert "身份核验" in found.reference
    line = AccessLogEntry.objects.get(seq=found.log_seq)
    assert (line.kind, line.outcome, line.case_no) == (
        CallKind.LOOKUP,
        Outcome.ANSWERED,
        "32010020261102000009",
    )
    assert line.purpose == "办件 32010020261102000009 免于提交“居民身份证”"
    assert line.channel == "intake" and line.actor == world.citizen


def test_without_a_grant_the_applicant_is_told_why_and_uploads(world):
    missing = lookup(world, "结婚证", applicant_person=applicant(WANG_FANG))
    assert not missing.found and missing.code == "sharing_not_granted"
    assert missing.reason.endswith("请上传。") and "婚姻登记信息" in missing.reason
    assert AccessLogEntry.objects.get(seq=missing.log_seq).outcome == Outcome.REFUSED


def test_a_no_from_the_registry_is_not_found_with_the_registry_reason(world):
    world.grant("JS-MZ-HY-001", ["marital_status"])
    divorced = lookup(world, "结婚证", applicant_person=applicant(LI_NA))
    assert not divorced.found and divorced.code == ""
    assert divorced.reason == "婚姻登记信息中没有有效的婚姻登记，请上传“结婚证”。"
    assert lookup(world, "结婚证", applicant_person=applicant(ZHANG_WEI)).found


def test_an_entity_applicant_is_looked_up_as_the_entity_or_its_representative(world):
    world.grant("JS-GA-RK-001", ["name"])
    licence = lookup(world, "营业执照", applicant_entity=world.entity)
    assert licence.found and "市场主体登记信息" in licence.source_label
    assert lookup(world, "居民身份证", applicant_entity=world.entity).found  # 法定代表人 张伟
    person_licence = lookup(world, "营业执照", applicant_person=applicant(ZHANG_WEI))
    assert not person_licence.found and person_licence.code == "sharing_subject_invalid"


def test_other_certificates_go_to_the_certificates_app_or_are_not_found(world, no_checker):
    world.grant("JS-ZW-DZZZ-001", ["holding"])
    before = AccessLogEntry.objects.count()
    unknown = lookup(world, "食品经营许可证", applicant_entity=world.entity)
    assert not unknown.found and unknown.code == "sharing_service_not_connected"
    assert AccessLogEntry.objects.count() == before  # nothing was read

    def checker(*, certificate_type, subject, now):
        return CertificateHolding(held=True, identifier="31" * 10, issuer="南京市市场监督管理局")

    hooks.certificate_checker_register(checker)
    held = lookup(world, "食品经营许可证", applicant_entity=world.entity)
    assert held.found and held.source == "certificates"
    assert (held.reference, held.source_label) == ("31" * 10, "电子证照库（南京市市场监督管理局）")
