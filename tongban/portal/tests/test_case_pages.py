"""Request-level tests of the applicant's case pages: 在线申请, 我的办件, 办件查询."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tests.support.cases import PASSWORD, PDF, department_named, id_number, staff_member
from tongban.cases import notices
from tongban.cases import services as case_services
from tongban.cases.models import Case, CaseMaterial, CaseStatus, MaterialKind
from tongban.cases.services.forms import case_form_values
from tongban.cases.services.intake import MaterialInput
from tongban.catalog import services as catalog_services
from tongban.catalog.models import ServiceItem
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core.identifiers import generate_credit_code
from tongban.identity import services as identity_services
from tongban.identity.models import User
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, DepartmentKind, Role
from tongban.sharing.demo import demo_business_registered

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class CaseSeed:
    food: ServiceItem  # 南京市市场监督管理局, 个人和法人, 容缺受理
    ganzhou: ServiceItem  # 赣州市市场监督管理局
    marriage: ServiceItem  # 南京市民政局, 即办件
    citizen: User  # 张三
    other: User  # 李四
    clerk: User  # 南京 window clerk
    reviewer: User
    head: User
    gz_clerk: User


def seed_cases() -> CaseSeed:
    demo_org_load()
    licensing = catalog_services.basic_item_create(
        code="010100100000",
        name="食品经营许可证核发",
        item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels="234",
    )
    marriage_basic = catalog_services.basic_item_create(
        code="070800100000",
        name="内地居民结婚登记",
        item_type="07",
        legal_basis="《婚姻登记条例》第四条",
        levels="34",
    )
    nj_market = department_named("320100", "市场监督管理局")
    gz_market = department_named("360700", "市场监督管理局")
    food_guide = valid_guide(
        audience=["person", "legal_entity"],
        form=[
            {"code": "applicant_name", "label": "申请人名称"},
            {"code": "phone", "label": "联系电话", "type": "phone"},
            {"code": "area", "label": "经营面积（平方米）", "type": "number", "required": False},
        ],
    )
    food = catalog_services.guide_load_published(
        basic_item=licensing, department=nj_market, content=food_guide
    )
    ganzhou = catalog_services.guide_load_published(
        basic_item=licensing, department=gz_market, content=valid_guide(audience=["person"])
    )
    marriage = catalog_services.guide_load_published(
        basic_item=marriage_basic,
        department=department_named("320100", "民政局"),
        content=valid_guide(
            name="内地居民结婚登记",
            audience=["person"],
            handling="immediate",
            legal_limit={"value": 1, "unit": "working_days"},
            promised_limit={"value": 0, "unit": "working_days"},
            modes=["on_the_spot"],
            materials=[
                {
                    "code": "hukou",
                    "name": "户口簿",
                    "source": "government",
                    "certificate_type": "居民户口簿",
                    "exempt": True,
                }
            ],
            form=[],
            situations=[],
            questions=[],
        ),
    )
    citizen = identity_services.citizen_signup(
        phone="13800000001",
        password=PASSWORD,
        name="张三",
        id_number=id_number("32010219900101123"),
        username="zhangsan",
    )
    other = identity_services.citizen_signup(
        phone="13800000002",
        password=PASSWORD,
        name="李四",
        id_number=id_number("32010219910202234"),
        username="lisi",
    )
    centres = (DepartmentKind.SERVICE_CENTRE, DepartmentKind.APPROVAL_BUREAU)
    nj_centre = Department.objects.filter(region_id="320100", kind__in=centres).order_by("id")[0]
    gz_centre = Department.objects.filter(region_id="360700", kind__in=centres).order_by("id")[0]
    return CaseSeed(
        food=food,
        ganzhou=ganzhou,
        marriage=marriage,
        citizen=citizen,
        other=other,
        clerk=staff_member("nj_clerk", "宁窗口", Role.WINDOW_CLERK, nj_centre, only=False),
        reviewer=staff_member("nj_reviewer", "宁审批", Role.REVIEWER, nj_market, only=True),
        head=staff_member("nj_head", "宁科长", Role.DEPARTMENT_HEAD, nj_market, only=True),
        gz_clerk=staff_member("gz_clerk", "赣窗口", Role.WINDOW_CLERK, gz_centre, only=False),
    )


def submit_case(seed: CaseSeed, *, user: User | None = None, item: ServiceItem | None = None):
    user = user or seed.citizen
    person = user.person
    assert person is not None
    return case_services.case_submit(
        service_item=item or seed.food,
        channel="online",
        applicant_person=person,
        form_data={"applicant_name": person.name, "phone": "13800000001"},
        materials=[
            MaterialInput(code="application", kind="upload", content=PDF, file_name="申请书.pdf"),
            MaterialInput(code="layout", kind="upload", content=PDF, file_name="布局图.pdf"),
        ],
        submitted_by=user,
    )


def text(response) -> str:
    return response.content.decode("utf-8")


def apply_url(item: ServiceItem, query: str = "q_q1=no") -> str:
    url = reverse("portal:case_apply", args=[item.implementation_code])
    return f"{url}?{query}" if query else url


def form_token(body: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', body)
    assert match, "the form has no one-time token"
    return match.group(1)


def application(token: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "token": token,
        "situation": "",
        "q_q1": "no",
        "f_applicant_name": "张三",
        "f_phone": "13800000001",
        "f_area": "",
        "m_application": SimpleUploadedFile("申请书.pdf", PDF, "application/pdf"),
        "defer_layout": "on",
    }
    data.update(extra)
    return data


@pytest.fixture
def seed() -> CaseSeed:
    return seed_cases()


# ---------------------------------------------------------------- 在线申请


def test_the_guide_links_to_the_online_application(client, seed):
    response = client.get(reverse("portal:service_guide", args=[seed.food.implementation_code]))
    assert apply_url(seed.food, "") in text(response)
    assert "在线申请" in text(response)


def test_an_anonymous_visitor_is_sent_to_login(client, seed):
    response = client.get(apply_url(seed.food))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_the_situation_is_asked_before_the_form(client, seed):
    client.force_login(seed.citizen)
    body = text(client.get(apply_url(seed.food, "")))
    assert "是否委托他人办理？" in body
    assert 'name="token"' not in body
    body = text(client.get(apply_url(seed.food, "q_q1=yes")))
    assert "委托代理人办理" in body
    assert "授权委托书" in body


def test_the_form_shows_typed_fields_and_the_material_checklist(client, seed):
    client.force_login(seed.citizen)
    response = client.get(apply_url(seed.food))
    body = text(response)
    assert response.status_code == 200
    assert 'type="tel"' in body
    assert 'type="number"' in body
    # 营业执照 is government-issued, but looked up only for a business: a person
    # is told so and may upload one (两个免于提交 never claims what it did not find).
    assert 'data-not-found="business_licence"' in body and "只能为法人或其他组织核验" in body
    assert 'name="m_business_licence"' in body
    assert 'name="m_application"' in body
    assert 'name="defer_layout"' in body  # deferrable under 容缺受理
    assert 'name="defer_application"' not in body
    assert "授权委托书" not in body  # not in the "no agent" situation


def test_a_citizen_applies_and_is_sent_to_the_case_page(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    response = client.post(apply_url(seed.food), application(token))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:my_case", args=[case.case_no])
    assert case.channel == "online"
    assert case.applicant_person == seed.citizen.person
    assert case.submitted_by == seed.citizen
    # The phone is personal data: shown masked, stored encrypted (R-SC-1).
    assert case.form_data == {"applicant_name": "张三", "phone": "138****0001"}
    assert case.form_secret["phone"].startswith("sm4gcm:")
    assert case_form_values(case)["phone"] == "13800000001"
    kinds = dict(CaseMaterial.objects.filter(case=case).values_list("code", "kind"))
    assert kinds == {
        "application": MaterialKind.UPLOAD,
        "layout": MaterialKind.DEFERRED,
    }
    page = client.get(response["Location"])
    assert f"申请已提交，办件编号 {case.case_no}" in text(page)


def test_the_same_token_twice_creates_one_case_and_leads_to_it(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    first = client.post(apply_url(seed.food), application(token))
    second = client.post(apply_url(seed.food), application(token))
    assert Case.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert "该申请已经提交过" in text(client.get(second["Location"]))


def test_an_unknown_token_is_refused_and_a_new_one_given(client, seed):
    client.force_login(seed.citizen)
    client.get(apply_url(seed.food))
    response = client.post(apply_url(seed.food), application("forged-token"))
    assert response.status_code == 422
    assert "页面已过期" in text(response)
    assert form_token(text(response)) != "forged-token"
    assert Case.objects.count() == 0


def test_refusals_of_the_service_are_shown_next_to_their_fields(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    response = client.post(
        apply_url(seed.food), application(token, f_applicant_name="李四", f_phone="12345")
    )
    body = text(response)
    assert response.status_code == 422
    # The applicant's own name is not asked (R-PL-2): it comes from the real-name
    # record, so a name posted for someone else changes nothing.
    assert 'name="f_applicant_name"' not in body and "来源：实名认证信息" in body
    assert "手机号码无效：应为以 1 开头的 11 位数字" in body
    assert 'aria-invalid="true"' in body
    assert Case.objects.count() == 0
    # the token is still good for the corrected form
    again = client.post(apply_url(seed.food), application(token))
    assert again.status_code == 302
    assert Case.objects.count() == 1


def test_a_required_material_must_be_uploaded_or_deferred(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    data = application(token)
    del data["defer_layout"]
    response = client.post(apply_url(seed.food), data)
    assert response.status_code == 422
    assert "请上传经营场所平面布局图，或选择“容缺后补”" in text(response)


def test_a_file_that_is_not_a_pdf_or_image_is_refused(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    fake = SimpleUploadedFile("申请书.pdf", b"MZ not a pdf", "application/pdf")
    response = client.post(apply_url(seed.food), application(token, m_application=fake))
    assert response.status_code == 422
    assert "只接受 PDF、JPG、PNG 或 OFD 文件" in text(response)
    assert Case.objects.count() == 0


@override_settings(TONGBAN_UPLOAD_MAX_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    big = SimpleUploadedFile("申请书.pdf", PDF + b"0" * 2048, "application/pdf")
    response = client.post(apply_url(seed.food), application(token, m_application=big))
    assert response.status_code == 422
    assert "文件不能超过 1 KB" in text(response)


def test_a_business_account_applies_for_its_legal_entity_with_its_person_as_agent(client, seed):
    person = seed.citizen.person
    entity = identity_services.legal_entity_register(
        credit_code=generate_credit_code("91320102MA1XXXXX"),
        name="南京小吃有限公司",
        legal_representative=person,
    )
    demo_business_registered(entity)  # every authorization is checked against the 法人库
    account = identity_services.business_account_create(
        username="xiaochi", password=PASSWORD, person=person, legal_entity=entity
    )
    client.force_login(account)
    body = text(client.get(apply_url(seed.food)))
    assert "申请单位" in body and "南京小吃有限公司" in body
    token = form_token(body)
    response = client.post(apply_url(seed.food), application(token, entity=str(entity.pk)))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.applicant_entity == entity
    assert case.agent_person == person
    assert case.applicant_person is None


def test_a_citizen_cannot_apply_for_an_item_for_legal_entities_only(client, seed):
    only_business = catalog_services.guide_load_published(
        basic_item=seed.food.basic_item,
        department=department_named("320100", "市场监督管理局"),
        content=valid_guide(),  # legal_entity only
    )
    client.force_login(seed.citizen)
    response = client.get(apply_url(only_business))
    assert response.status_code == 302
    assert "该事项面向法人" in text(client.get(response["Location"]))


def test_an_item_without_online_acceptance_sends_the_citizen_to_the_window(client, seed):
    consult_only = catalog_services.guide_load_published(
        basic_item=seed.food.basic_item,
        department=department_named("320100", "市场监督管理局"),
        content=valid_guide(audience=["person"], online_depth=2),
    )
    guide = client.get(reverse("portal:service_guide", args=[consult_only.implementation_code]))
    assert apply_url(consult_only, "") not in text(guide)
    client.force_login(seed.citizen)
    response = client.get(apply_url(consult_only))
    assert response.status_code == 302
    assert "该事项暂不支持网上申请" in text(client.get(response["Location"]))


def test_staff_cannot_apply_online(client, seed):
    client.force_login(seed.clerk)
    assert client.get(apply_url(seed.food)).status_code == 403


# ---------------------------------------------------------------- 我的办件


def test_my_cases_lists_my_cases_only_in_few_queries(client, seed, django_assert_max_num_queries):
    mine = [submit_case(seed) for _ in range(3)]
    theirs = submit_case(seed, user=seed.other)
    client.force_login(seed.citizen)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("portal:my_cases"))
    body = text(response)
    assert response.status_code == 200
    for case in mine:
        assert case.case_no in body
    assert theirs.case_no not in body
    assert "已提交" in body
    # the count does not grow with the number of cases
    for _ in range(5):
        submit_case(seed)
    with django_assert_max_num_queries(12):
        client.get(reverse("portal:my_cases"))


def test_my_cases_shows_the_decision_deadline_and_working_days_left(client, seed):
    case = submit_case(seed)
    case_services.case_accept(case_id=case.pk, actor=seed.clerk)
    case.refresh_from_db()
    client.force_login(seed.citizen)
    body = text(client.get(reverse("portal:my_cases")))
    assert "办结期限" in body
    assert "剩余工作日" in body
    assert f"{case.decision_deadline:%Y年%-m月%-d日}" in body


def test_the_case_page_shows_the_timeline_clock_and_documents(client, seed):
    case = submit_case(seed)
    accepted = case_services.case_accept(case_id=case.pk, actor=seed.clerk)
    document = notices.document_issue(case=accepted, kind="acceptance_notice")
    client.force_login(seed.citizen)
    response = client.get(reverse("portal:my_case", args=[case.case_no]))
    body = text(response)
    assert response.status_code == 200
    assert "提交申请" in body and "受理" in body
    assert "办结期限" in body
    url = reverse("portal:my_case_document", args=[case.case_no, document.number])
    assert url in body
    pdf = client.get(url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_another_citizen_cannot_open_my_case_or_its_documents(client, seed):
    case = submit_case(seed)
    accepted = case_services.case_accept(case_id=case.pk, actor=seed.clerk)
    document = notices.document_issue(case=accepted, kind="acceptance_notice")
    client.force_login(seed.other)
    assert client.get(reverse("portal:my_case", args=[case.case_no])).status_code == 404
    url = reverse("portal:my_case_document", args=[case.case_no, document.number])
    assert client.get(url).status_code == 404
    withdraw = reverse("portal:my_case_withdraw", args=[case.case_no])
    assert client.post(withdraw, {"version": accepted.version}).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_the_applicant_withdraws_before_the_decision(client, seed):
    case = submit_case(seed)
    client.force_login(seed.citizen)
    body = text(client.get(reverse("portal:my_case", args=[case.case_no])))
    assert "撤回申请" in body
    response = client.post(
        reverse("portal:my_case_withdraw", args=[case.case_no]),
        {"version": case.version, "reason": "不办了"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert case.events.filter(action="withdraw", reason="不办了").exists()
    after = text(client.get(reverse("portal:my_case", args=[case.case_no])))
    assert "撤回申请</button>" not in after
    assert "已撤回" in after


def test_a_stale_withdrawal_is_told_to_refresh(client, seed):
    case = submit_case(seed)
    stale = case.version
    case_services.case_accept(case_id=case.pk, actor=seed.clerk)
    client.force_login(seed.citizen)
    response = client.post(
        reverse("portal:my_case_withdraw", args=[case.case_no]), {"version": stale}, follow=True
    )
    assert "办件已被他人处理，请刷新" in text(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_the_applicant_supplies_what_the_notice_asked_for(client, seed):
    case = submit_case(seed)
    case_services.case_request_supplement(
        case_id=case.pk,
        actor=seed.clerk,
        items=[{"code": "layout", "name": "经营场所平面布局图", "reason": "图纸不清晰"}],
    )
    case.refresh_from_db()
    client.force_login(seed.citizen)
    body = text(client.get(reverse("portal:my_case", args=[case.case_no])))
    assert "补正材料" in body and "图纸不清晰" in body
    assert 'name="m_layout"' in body
    response = client.post(
        reverse("portal:my_case_supplement", args=[case.case_no]),
        {"version": case.version, "m_layout": SimpleUploadedFile("图.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENTED
    assert case.materials.get(code="layout").file_name == "图.pdf"


# ---------------------------------------------------------------- 办件查询


def test_anyone_tracks_a_case_by_number_and_code_in_a_posted_form(client, seed):
    case = submit_case(seed)
    response = client.post(
        reverse("portal:case_track"), {"case_no": case.case_no, "code": case.tracking_code}
    )
    body = text(response)
    result = body[body.index("查询结果") :]
    assert response.status_code == 200
    assert "张*" in result
    assert "张三" not in result
    assert "食品经营许可证核发" in body
    assert "已提交" in body
    assert 'method="post"' in body


def test_a_wrong_code_or_a_name_finds_nothing(client, seed):
    case = submit_case(seed)
    response = client.post(
        reverse("portal:case_track"), {"case_no": case.case_no, "code": "ABCDEFGH"}
    )
    assert response.status_code == 404
    assert "未找到该办件" in text(response)
    assert "食品经营许可证核发" not in text(response)
    # The old query by name in the URL answers the empty form only.
    old = client.get(
        reverse("portal:case_track"), {"case_no": case.case_no, "applicant_name": "张三"}
    )
    assert "查询结果" not in text(old)


def test_the_tracking_form_is_shown_empty_and_asks_for_the_code(client, seed):
    response = client.get(reverse("portal:case_track"))
    assert response.status_code == 200
    assert "办件编号" in text(response) and "查询码" in text(response)
