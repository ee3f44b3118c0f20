"""Verification and query calls: refused without a grant, answered within it, always logged."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.sharing import hooks
from tongban.sharing.hooks import CertificateHolding
from tongban.sharing.models import AccessGrant, AccessLogEntry, Outcome
from tongban.sharing.services import (
    access_grant_refuse,
    access_grant_request,
    access_grant_revoke,
    sharing_query,
    sharing_verify,
)
from tongban.sharing.subjects import person_token

from .conftest import (
    LI_NA,
    LIU_YANG,
    OUYANG_MING,
    QINHUAI_CO,
    T0,
    TONGBAN_CO,
    WANG_FANG,
    ZHANG_WEI,
    entity,
    person,
)

MARRIAGE = "JS-MZ-HY-001"
POPULATION = "JS-GA-RK-001"


def verify(world, service, subject, *, user=None, params=None, purpose="核验申请人", now=T0):
    return sharing_verify(
        consumer_department=world.market, staff_user=user or world.clerk, service=service,
        subject=subject, purpose=purpose, case_no="32010020261102000001", params=params, now=now,
    )  # fmt: skip


def refused(call, code):
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value.detail
    return caught.value


def test_a_call_without_a_grant_is_refused_and_only_its_log_line_is_written(world):
    audit_before = AuditEvent.objects.count()
    refused(lambda: verify(world, "marriage", person(ZHANG_WEI)), "sharing_not_granted")
    line = AccessLogEntry.objects.get()
    assert (line.outcome, line.error_code) == (Outcome.REFUSED, "sharing_not_granted")
    assert line.subject_token == person_token(ZHANG_WEI)
    assert line.consumer == world.market and line.actor == world.clerk
    assert line.purpose == "核验申请人" and line.case_no == "32010020261102000001"
    assert line.fields == ["marital_status"]
    assert ZHANG_WEI not in str(line.__dict__)  # the clear number is nowhere in the line
    assert AuditEvent.objects.count() == audit_before
    assert not AccessGrant.objects.filter(consumer=world.market, resource__code=MARRIAGE).exists()


def test_with_a_grant_the_answer_is_yes_or_no_and_logged(world):
    world.grant(MARRIAGE, ["marital_status"])
    yes = verify(world, "marriage", person(ZHANG_WEI))
    no = verify(world, "marriage", person(LI_NA))  # divorced
    assert (yes.result, no.result) == (True, False)
    lines = list(AccessLogEntry.objects.order_by("seq"))
    assert [line.outcome for line in lines] == [Outcome.ANSWERED, Outcome.ANSWERED]
    assert [line.seq for line in lines] == [yes.log_seq, no.log_seq]


# (service, subject, params, answer, registry's story in demo.py)
ANSWERS = [
    ("identity", ZHANG_WEI, {"name": "张伟"}, True),  # name matches the number
    ("identity", ZHANG_WEI, {"name": "张三"}, False),  # another name
    ("household", ZHANG_WEI, {}, True),
    ("household", ZHANG_WEI, {"region_code": "3201"}, True),  # in 南京市
    ("household", LIU_YANG, {"region_code": "3201"}, False),  # in 赣州
    ("birth", OUYANG_MING, {}, True),  # 出生医学证明 B360078901
    ("birth", ZHANG_WEI, {}, False),  # born 1985, none on record
    ("parenthood", WANG_FANG, {}, True),  # mother of 张小宇
    ("parenthood", LIU_YANG, {}, False),
    ("social_insurance", ZHANG_WEI, {"insurance_kind": "pension"}, True),
    ("social_insurance", OUYANG_MING, {}, False),  # a student, not insured
    ("real_estate", ZHANG_WEI, {"region_code": "320102"}, True),  # flat in 玄武区
    ("real_estate", WANG_FANG, {}, False),
    ("marriage", ZHANG_WEI, {"spouse_id_number": WANG_FANG}, True),
    ("marriage", ZHANG_WEI, {"spouse_id_number": LI_NA}, False),
]
GRANTS = {
    "identity": ("JS-GA-RK-001", ["name"]),
    "household": ("JS-GA-HJ-002", ["region_code"]),
    "birth": ("JS-WJ-CS-001", ["certificate_no", "mother_name", "father_name"]),
    "parenthood": ("JS-WJ-CS-001", ["certificate_no", "mother_name", "father_name"]),
    "social_insurance": ("JS-RS-SB-001", ["status", "insurance_kinds"]),
    "real_estate": ("JS-ZR-BDC-001", ["certificate_nos"]),
    "marriage": ("JS-MZ-HY-001", ["marital_status", "spouse_name"]),
}


@pytest.mark.parametrize(("service", "id_number", "params", "answer"), ANSWERS)
def test_each_service_answers_from_its_registry(world, service, id_number, params, answer):
    code, fields = GRANTS[service]
    world.grant(code, fields)
    assert verify(world, service, person(id_number), params=params).result is answer


def test_business_registration_is_unconditional_and_needs_no_grant(world):
    assert verify(world, "business", entity(TONGBAN_CO)).result is True
    assert (
        verify(world, "business", entity(QINHUAI_CO), params={"name": "别的名字"}).result is False
    )
    revoked = "南京玄武旧时光贸易有限公司"
    from tongban.sharing.demo import REVOKED_BUSINESS

    assert (
        verify(world, "business", entity(REVOKED_BUSINESS), params={"name": revoked}).result
        is False
    )


def test_a_grant_for_other_fields_is_refused(world):
    world.grant(MARRIAGE, ["marital_status"])
    error = refused(
        lambda: verify(
            world, "marriage", person(ZHANG_WEI), params={"spouse_id_number": WANG_FANG}
        ),
        "sharing_field_not_granted",
    )
    assert error.status == 403 and error.extra == {"missing_fields": ["spouse_name"]}
    assert AccessLogEntry.objects.get().fields == ["marital_status", "spouse_name"]


def test_an_expired_grant_is_refused(world):
    world.grant(MARRIAGE, ["marital_status"], until=dt.date(2026, 11, 30))
    assert verify(world, "marriage", person(ZHANG_WEI)).result is True
    later = T0 + dt.timedelta(days=30)  # 2 Dec 2026
    refused(
        lambda: verify(world, "marriage", person(ZHANG_WEI), now=later), "sharing_grant_expired"
    )


def test_a_refused_or_revoked_grant_is_no_grant(world):
    grant = access_grant_request(
        resource=world.resource(MARRIAGE), consumer_department=world.market, purpose="p",
        legal_basis="b", field_codes=["marital_status"], now=T0,
    )  # fmt: skip
    access_grant_refuse(grant=grant, reason="不必要", now=T0)
    error = refused(lambda: verify(world, "marriage", person(ZHANG_WEI)), "sharing_not_granted")
    assert "拒绝" in error.detail
    approved = world.grant(MARRIAGE, ["marital_status"])
    assert verify(world, "marriage", person(ZHANG_WEI)).result is True
    access_grant_revoke(grant=approved, reason="用途已结束", now=T0)
    error = refused(lambda: verify(world, "marriage", person(ZHANG_WEI)), "sharing_not_granted")
    assert "撤销" in error.detail


def test_bad_calls_have_their_codes_and_are_logged(world):
    world.grant(POPULATION, ["name"])
    cases = [
        (lambda: verify(world, "horoscope", person(ZHANG_WEI)), "sharing_service_unknown", 404),
        (lambda: verify(world, "identity", person(ZHANG_WEI), params={"name": "张伟"}, purpose=" "),
         "sharing_purpose_required", 422),
        (lambda: verify(world, "identity", person("32010219850312001X"), params={"name": "张伟"}),
         "sharing_subject_invalid", 422),
        (lambda: verify(world, "identity", person("110101199003070011"), params={"name": "某"}),
         "sharing_subject_not_found", 404),
        (lambda: verify(world, "identity", person(ZHANG_WEI)), "sharing_params_invalid", 422),
        (lambda: verify(world, "identity", person(ZHANG_WEI), params={"name": "张伟", "x": "1"}),
         "sharing_params_invalid", 422),
        (lambda: verify(world, "identity", entity(TONGBAN_CO), params={"name": "张伟"}),
         "sharing_subject_invalid", 422),
        (lambda: verify(world, "identity", person(ZHANG_WEI), params={"name": "张伟"},
                        user=world.supervisor), "sharing_not_consumer", 403),
    ]  # fmt: skip
    for call, code, status in cases:
        assert refused(call, code).status == status
    lines = list(AccessLogEntry.objects.order_by("seq"))
    assert [line.error_code for line in lines] == [code for _, code, _ in cases]
    assert lines[3].outcome == Outcome.NOT_FOUND


def test_without_a_certificate_checker_the_service_is_not_connected(world, no_checker):
    world.grant("JS-ZW-DZZZ-001", ["holding"])
    params = {"certificate_type": "营业执照"}
    refused(
        lambda: verify(world, "certificate", entity(TONGBAN_CO), params=params),
        "sharing_service_not_connected",
    )
    seen = []

    def checker(*, certificate_type, subject, now):
        seen.append((certificate_type, subject.identifier))
        return CertificateHolding(held=True, identifier="X" * 20)

    hooks.certificate_checker_register(checker)
    assert verify(world, "certificate", entity(TONGBAN_CO), params=params).result is True
    assert seen == [("营业执照", TONGBAN_CO)]


def test_holding_a_certificate_is_answered_from_the_wallet(world, settings, tmp_path):
    from tongban.certificates.demo import demo_certificate_types_load
    from tongban.certificates.services import certificate_issue

    settings.MEDIA_ROOT = str(tmp_path)
    demo_certificate_types_load()
    world.grant("JS-ZW-DZZZ-001", ["holding"])
    params = {"certificate_type": "食品经营许可证"}
    assert verify(world, "certificate", entity(TONGBAN_CO), params=params).result is False
    certificate_issue(
        certificate_type="食品经营许可证", holder_entity=world.entity,
        face={"permitted_items": "预包装食品销售"}, issuing_department=world.market,
        valid_from=dt.date(2026, 11, 2), now=T0,
    )  # fmt: skip
    assert verify(world, "certificate", entity(TONGBAN_CO), params=params).result is True
    assert verify(world, "certificate", entity(QINHUAI_CO), params=params).result is False


def query(world, code, subject, fields=None, user=None):
    return sharing_query(
        consumer_department=world.market, staff_user=user or world.clerk, resource_code=code,
        subject=subject, purpose="核验申请人婚姻状况", case_no="C-1", fields=fields, now=T0,
    )  # fmt: skip


def test_a_query_returns_only_the_granted_fields(world):
    refused(lambda: query(world, MARRIAGE, person(ZHANG_WEI)), "sharing_not_granted")
    world.grant(MARRIAGE, ["marital_status", "spouse_name"])
    answer = query(world, MARRIAGE, person(ZHANG_WEI))
    assert answer.fields == {"marital_status": "已婚", "spouse_name": "王芳"}
    assert query(world, MARRIAGE, person(LI_NA), ["marital_status"]).fields == {
        "marital_status": "离婚"
    }
    refused(
        lambda: query(world, MARRIAGE, person(ZHANG_WEI), ["certificate_no"]),
        "sharing_field_not_granted",
    )
    lines = list(AccessLogEntry.objects.order_by("seq"))
    assert [(line.outcome, line.fields) for line in lines] == [
        (Outcome.REFUSED, ["marital_status", "spouse_name", "registered_on", "certificate_no"]),
        (Outcome.ANSWERED, ["marital_status", "spouse_name"]),
        (Outcome.ANSWERED, ["marital_status"]),
        (Outcome.REFUSED, ["certificate_no"]),
    ]


def test_a_query_decrypts_what_is_stored_encrypted(world):
    world.grant("JS-GA-HJ-002", ["address", "region_code"])
    answer = query(world, "JS-GA-HJ-002", person(ZHANG_WEI))
    assert answer.fields == {"region_code": "320102", "address": "南京市玄武区珠江路88号2幢301室"}


def test_unconditional_and_unshareable_resources(world):
    fields = query(world, "JS-SJ-SCZT-001", entity(QINHUAI_CO), ["name", "status"]).fields
    assert fields == {"name": "南京秦淮味道餐饮管理有限公司", "status": "存续（在营）"}
    refused(lambda: query(world, "JS-RH-ZX-001", person(ZHANG_WEI)), "sharing_not_shareable")
    refused(lambda: query(world, "NO-SUCH-1", person(ZHANG_WEI)), "sharing_resource_unknown")
    refused(
        lambda: query(world, "JS-SJ-TJ-001", person(ZHANG_WEI)), "sharing_resource_not_queryable"
    )
    refused(
        lambda: query(world, "JS-SJ-SCZT-001", entity(QINHUAI_CO), ["name", "nope"]),
        "sharing_params_invalid",
    )


def test_the_provider_reads_its_own_resource_without_a_grant(world):
    answer = sharing_query(
        consumer_department=world.civil, staff_user=world.civil_head, resource_code=MARRIAGE,
        subject=person(WANG_FANG), purpose="婚姻登记", now=T0,
    )  # fmt: skip
    assert answer.fields["marital_status"] == "已婚"
