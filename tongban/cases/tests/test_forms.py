"""The application form: one round of checks with bounds and formats (issue 9 #10),
bound to the applicant (#8), personal fields sealed and revealed with a purpose (#4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.services.forms import case_form_reveal, case_form_values, form_clean
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests.test_services import PDF
from tongban.catalog.content import FormField
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.core.models import AuditEvent
from tongban.org.models import Department

TODAY = dt.date(2026, 11, 2)
ZHANG_ID = "11010519491231002X"  # world.person 张伟
OTHER_ID = "110101199003070011"  # a valid number of somebody else


def field(**spec) -> FormField:
    return FormField.model_validate({"label": spec.get("code", "f"), **spec})


def clean(spec: dict, value):
    return form_clean([field(**spec)], {spec["code"]: value}, today=TODAY)


# --- one round, bounds and formats ----------------------------------------------

NUMBER_ROWS = [
    # (field spec, given, stored or None when refused)
    ({"min_value": 0}, -5, None),  # registered capital −5
    ({}, 1e308, None),  # beyond 10^15
    ({}, "inf", None),
    ({}, "NaN", None),
    ({}, True, None),  # a checkbox value is no number
    ({"decimals": 0}, "12.5", None),
    ({"decimals": 0}, " 12 ", 12),
    ({"max_value": 100}, "100.0", 100),
    ({}, "3.1415", 3.1415),
    ({}, "3.14159", None),  # five decimals against the default four
]


@pytest.mark.parametrize(("spec", "given", "stored"), NUMBER_ROWS)
def test_a_number_is_finite_bounded_and_normalised(spec, given, stored):
    cleaned, problems = clean({"code": "n", "type": "number", **spec}, given)
    if stored is None:
        assert problems and problems[0]["code"] == "invalid"
        assert "n" not in cleaned
    else:
        assert problems == []
        assert cleaned["n"] == stored


DATE_ROWS = [
    ("2026-11-01", "2026-11-01"),
    (" 2026-11-01 ", "2026-11-01"),
    ("20261101", None),  # Python would read it; the form does not
    ("9999-12-31", None),  # outside 1900…2100
    ("2026-02-30", None),
    ("2026/11/01", None),
]


@pytest.mark.parametrize(("given", "stored"), DATE_ROWS)
def test_a_date_is_iso_within_its_range(given, stored):
    cleaned, problems = clean({"code": "d", "type": "date"}, given)
    assert cleaned.get("d") == stored
    assert bool(problems) is (stored is None)


def test_a_date_field_can_narrow_its_range():
    spec = {"code": "d", "type": "date", "max_date": "2026-12-31"}
    assert clean(spec, "2027-01-01")[1][0]["message"].endswith("之间")


def test_a_required_text_of_only_spaces_is_missing_and_every_problem_comes_at_once():
    fields = [
        field(code="name", label="姓名"),
        field(code="phone", label="电话", type="phone"),
        field(code="id", label="身份证件号码", type="id_number"),
    ]
    _, problems = form_clean(fields, {"name": "   ", "phone": "abc", "id": "123"}, today=TODAY)
    assert {(p["field"], p["code"]) for p in problems} == {
        ("form.name", "missing"),
        ("form.phone", "invalid"),
        ("form.id", "invalid"),
    }


# --- sealed, masked, revealed ---------------------------------------------------------


@pytest.fixture
def personal_item(world):
    basic = basic_item_create(
        code="070000000199",
        name="高龄津贴申领",
        item_type="05",
        legal_basis="《江苏省老年人权益保障条例》",
        levels="234",
    )
    form = [
        {"code": "applicant_name", "label": "申请人姓名"},
        {"code": "applicant_id_number", "label": "申请人身份证件号码", "type": "id_number"},
        {"code": "applicant_phone", "label": "联系电话", "type": "phone"},
        {"code": "bank_account", "label": "银行账号", "type": "bank_account"},
        {"code": "applicant_address", "label": "通讯地址", "sensitive": True},
        {
            "code": "credit_code",
            "label": "统一社会信用代码",
            "type": "credit_code",
            "required": False,
        },
    ]
    return guide_load_published(
        basic_item=basic,
        department=Department.objects.get(name="南京市市场监督管理局"),
        content=valid_guide(name=basic.name, form=form),
    )


def _apply(world, item, **form):
    return services.case_submit(
        service_item=item,
        channel="online",
        applicant_person=world.person,
        form_data={
            "applicant_phone": "13800000001",
            "bank_account": "6222 0212 3456 7890 123",
            "applicant_address": "南京市玄武区中山路1号",
            **form,
        },
        materials=[
            MaterialInput(code="application", kind="upload", content=PDF),
            MaterialInput(code="layout", kind="upload", content=PDF),
        ],
        now=world.at(),
    )


def test_personal_fields_are_stored_encrypted_and_shown_masked(world, personal_item):
    case = _apply(world, personal_item)

    assert case.form_data == {
        "applicant_name": "张伟",  # filled from the registry
        "applicant_id_number": "110105********002X",
        "applicant_phone": "138****0001",
        "bank_account": "6222***********0123",
        "applicant_address": "南京市****",
    }
    assert set(case.form_secret) == {
        "applicant_id_number",
        "applicant_phone",
        "bank_account",
        "applicant_address",
    }
    stored = str(Case.objects.filter(pk=case.pk).values_list("form_data", "form_secret").get())
    for clear in (ZHANG_ID, "13800000001", "6222021234567890123", "中山路1号"):
        assert clear not in stored
    assert case_form_values(case)["bank_account"] == "6222021234567890123"


def test_a_reveal_needs_a_purpose_and_is_audited_without_the_value(world, personal_item):
    case = _apply(world, personal_item)

    with pytest.raises(DomainError) as exc:
        case_form_reveal(case_id=case.pk, actor=world.clerk, field="applicant_phone", purpose=" ")
    assert exc.value.code == "case_reason_required"
    value = case_form_reveal(
        case_id=case.pk, actor=world.clerk, field="applicant_phone", purpose="电话核实申请人"
    )

    assert value == "13800000001"
    event = AuditEvent.objects.get(action="case.form_revealed")
    assert event.details == {"field": "applicant_phone", "purpose": "电话核实申请人"}
    assert "13800000001" not in str(event.details)


def test_staff_of_another_region_cannot_reveal(world, personal_item):
    case = _apply(world, personal_item)
    with pytest.raises(DomainError) as exc:
        case_form_reveal(
            case_id=case.pk, actor=world.other_clerk, field="applicant_phone", purpose="核实身份"
        )
    assert exc.value.code == "permission_denied"
    assert not AuditEvent.objects.filter(action="case.form_revealed").exists()


def test_the_reveal_api_answers_scoped_staff_only(world, personal_item):
    from tongban.identity.services import token_create

    case = _apply(world, personal_item)
    url = f"/api/v1/cases/{case.case_no}/reveal"
    body = {"field": "bank_account", "purpose": "核对发放账户"}

    def as_staff(user):
        return Client(headers={"Authorization": f"Bearer {token_create(user=user, name='t')[1]}"})

    ok = as_staff(world.clerk).post(url, body, content_type="application/json")
    other = as_staff(world.other_clerk).post(url, body, content_type="application/json")

    assert ok.status_code == 200, ok.content
    assert ok.json() == {
        "field": "bank_account",
        "label": "银行账号",
        "value": "6222021234567890123",
    }
    assert ok["Cache-Control"].startswith("no-store")
    assert other.status_code == 404
    detail = as_staff(world.clerk).get(f"/api/v1/cases/{case.case_no}").json()
    assert detail["form"]["bank_account"] == "6222***********0123"


# --- bound to the applicant -----------------------------------------------------------


def test_a_person_cannot_file_in_another_persons_name_or_id(world, personal_item):
    with pytest.raises(DomainError) as exc:
        _apply(world, personal_item, applicant_name="李四", applicant_id_number=OTHER_ID)
    problems = {f["field"]: f["code"] for f in exc.value.fields}
    assert problems == {
        "form.applicant_name": "not_applicant",
        "form.applicant_id_number": "not_applicant",
    }


def test_an_agent_cannot_file_with_another_companys_credit_code(world):
    """The probe: an agent of one company named another company's credit code."""
    from tongban.identity.services import legal_entity_register

    ours = legal_entity_register(
        credit_code=generate_credit_code("9132010270000011"), name="南京甲公司",
        legal_representative=world.person,
    )  # fmt: skip
    theirs = generate_credit_code("9132010270000022")

    def apply(code):
        return services.case_submit(
            service_item=world.item,
            channel="online",
            applicant_entity=ours,
            agent_person=world.person,
            form_data={"applicant_name": "南京甲公司", "credit_code": code},
            materials=[
                MaterialInput(code="application", kind="upload", content=PDF),
                MaterialInput(code="layout", kind="upload", content=PDF),
            ],
            now=world.at(),
        )

    with pytest.raises(DomainError) as exc:
        apply(theirs)
    assert exc.value.fields == [
        {
            "field": "form.credit_code",
            "code": "not_applicant",
            "message": "统一社会信用代码：须与申请人的登记信息一致，不能填写他人信息",
        }
    ]
    assert apply(" " + ours.credit_code.lower()).form_data["credit_code"] == ours.credit_code


# --- rows stored in clear before the change ---------------------------------------------


def test_the_migration_seals_forms_stored_in_clear(world, personal_item):
    from importlib import import_module

    from django.apps import apps

    case = _apply(world, personal_item)
    clear = case_form_values(case)
    Case.objects.filter(pk=case.pk).update(form_data=clear, form_secret={})
    migration = import_module("tongban.cases.migrations.0007_form_secret")

    migration.seal_existing_forms(apps, None)

    case.refresh_from_db()
    assert case.form_data["applicant_phone"] == "138****0001"
    assert case_form_values(case) == clear
