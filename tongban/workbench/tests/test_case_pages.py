"""Request-level tests of the staff case pages: 窗口收件, 受理队列, 办件页 and its actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.support.cases import PASSWORD, PDF, department_named, id_number, staff_member
from tongban.cases import services as case_services
from tongban.cases.models import Case, CaseDocument, CaseStatus, MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.catalog import services as catalog_services
from tongban.catalog.models import ServiceItem
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core import clock
from tongban.identity import services as identity_services
from tongban.identity.models import Person, User
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, DepartmentKind, Role

pytestmark = pytest.mark.django_db

ZHANG_ID = "32010219900101123"


@dataclass(frozen=True)
class CaseSeed:
    food: ServiceItem  # 南京市市场监督管理局 (容缺受理)
    ganzhou: ServiceItem  # 赣州市市场监督管理局
    marriage: ServiceItem  # 南京市民政局, 即办件
    citizen: User
    clerk: User
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
    food = catalog_services.guide_load_published(
        basic_item=licensing,
        department=nj_market,
        content=valid_guide(
            audience=["person", "legal_entity"],
            form=[
                {"code": "applicant_name", "label": "申请人名称"},
                {
                    "code": "credit_code",
                    "label": "统一社会信用代码",
                    "type": "credit_code",
                    "required": False,
                },
                {"code": "phone", "label": "联系电话", "type": "phone", "required": False},
            ],
        ),
    )
    ganzhou = catalog_services.guide_load_published(
        basic_item=licensing,
        department=department_named("360700", "市场监督管理局"),
        content=valid_guide(
            audience=["person"], form=[{"code": "applicant_name", "label": "名称"}]
        ),
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
        id_number=id_number(ZHANG_ID),
        username="zhangsan",
    )
    centres = (DepartmentKind.SERVICE_CENTRE, DepartmentKind.APPROVAL_BUREAU)
    nj_centre = Department.objects.filter(region_id="320100", kind__in=centres).order_by("id")[0]
    gz_centre = Department.objects.filter(region_id="360700", kind__in=centres).order_by("id")[0]
    return CaseSeed(
        food=food,
        ganzhou=ganzhou,
        marriage=marriage,
        citizen=citizen,
        clerk=staff_member("nj_clerk", "宁窗口", Role.WINDOW_CLERK, nj_centre, only=False),
        reviewer=staff_member("nj_reviewer", "宁审批", Role.REVIEWER, nj_market, only=True),
        head=staff_member("nj_head", "宁科长", Role.DEPARTMENT_HEAD, nj_market, only=True),
        gz_clerk=staff_member("gz_clerk", "赣窗口", Role.WINDOW_CLERK, gz_centre, only=False),
    )


def submit_case(
    seed: CaseSeed,
    *,
    item: ServiceItem | None = None,
    layout: bool = True,
    now: dt.datetime | None = None,
    form: dict | None = None,
) -> Case:
    materials = [
        MaterialInput(code="application", kind="upload", content=PDF, file_name="申请书.pdf")
    ]
    if layout:
        materials.append(
            MaterialInput(code="layout", kind="upload", content=PDF, file_name="图.pdf")
        )
    target = item or seed.food
    return case_services.case_submit(
        service_item=target,
        channel="online",
        applicant_person=seed.citizen.person,
        form_data=form or ({"applicant_name": "张三"} if target != seed.marriage else {}),
        # 户口簿 is looked up in the registry first (两个免于提交); this test's
        # couple is not in it, so the window takes the paper booklet.
        materials=(
            materials if target != seed.marriage else [MaterialInput(code="hukou", kind="paper")]
        ),
        submitted_by=seed.citizen,
        now=now,
    )


def text(response) -> str:
    return response.content.decode("utf-8")


def case_url(case: Case) -> str:
    return reverse("workbench:case_detail", args=[case.case_no])


def act_url(case: Case, action: str) -> str:
    return reverse("workbench:case_act", args=[case.case_no, action])


@pytest.fixture
def seed() -> CaseSeed:
    return seed_cases()


# ---------------------------------------------------------------- who may enter


def test_an_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("workbench:case_queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_a_citizen_is_refused(client, seed):
    client.force_login(seed.citizen)
    assert client.get(reverse("workbench:case_queue")).status_code == 403
    assert client.get(reverse("workbench:case_intake")).status_code == 403


def test_a_reviewer_cannot_use_the_window_intake(client, seed):
    client.force_login(seed.reviewer)
    response = client.get(reverse("workbench:case_intake"))
    assert response.status_code == 403
    assert "窗口收件仅对窗口人员开放" in text(response)


# ---------------------------------------------------------------- 受理队列


def test_the_queue_shows_the_cases_in_scope_in_few_queries(
    client, seed, django_assert_max_num_queries
):
    nanjing = [submit_case(seed) for _ in range(3)]
    other = submit_case(seed, item=seed.ganzhou)
    client.force_login(seed.clerk)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workbench:case_queue"))
    body = text(response)
    assert response.status_code == 200
    assert "受理队列" in body
    for case in nanjing:
        assert case.case_no in body
    assert other.case_no not in body
    for _ in range(5):
        submit_case(seed)
    with django_assert_max_num_queries(12):
        client.get(reverse("workbench:case_queue"))


def test_the_queue_filters_by_status_and_searches(client, seed):
    waiting = submit_case(seed)
    reviewing = submit_case(seed)
    case_services.case_accept(case_id=reviewing.pk, actor=seed.clerk)
    case_services.case_start_review(case_id=reviewing.pk, actor=seed.reviewer)
    client.force_login(seed.clerk)
    body = text(client.get(reverse("workbench:case_queue"), {"status": "waiting"}))
    assert waiting.case_no in body and reviewing.case_no not in body
    body = text(client.get(reverse("workbench:case_queue"), {"status": "under_review"}))
    assert reviewing.case_no in body and waiting.case_no not in body
    body = text(client.get(reverse("workbench:case_queue"), {"q": reviewing.case_no}))
    assert reviewing.case_no in body and waiting.case_no not in body
    for label in ("待受理", "审查中", "已中止", "待送达"):
        assert label in body


def test_an_overdue_case_is_marked_red_in_words_too(client, seed):
    long_ago = clock.now() - dt.timedelta(days=30)
    case = submit_case(seed, now=long_ago)
    case_services.case_accept(case_id=case.pk, actor=seed.clerk, now=long_ago)
    client.force_login(seed.clerk)
    body = text(client.get(reverse("workbench:case_queue")))
    assert "row-red" in body
    assert "红色预警" in body


# ---------------------------------------------------------------- 办件页


def test_the_case_page_shows_the_applicant_masked_and_the_window_actions(client, seed):
    case = submit_case(seed)
    client.force_login(seed.clerk)
    response = client.get(case_url(case))
    body = text(response)
    assert response.status_code == 200
    person = Person.objects.get(pk=seed.citizen.person_id)
    assert person.id_number_masked in body
    assert id_number(ZHANG_ID) not in body
    assert "138****0001" in body and "13800000001" not in body
    assert "第 1 版" in body  # the guide version the case runs on
    assert "食品经营许可申请书" in body
    assert reverse("workbench:case_material", args=[case.case_no, "application"]) in body
    for action in ("accept", "refuse", "request_supplement"):
        assert act_url(case, action) in body
    assert act_url(case, "start_review") not in body
    assert act_url(case, "extend") not in body
    assert f'name="accept-version" value="{case.version}"' in body


def test_a_clerk_of_another_city_gets_not_found(client, seed):
    case = submit_case(seed)
    client.force_login(seed.gz_clerk)
    assert client.get(case_url(case)).status_code == 404
    material = reverse("workbench:case_material", args=[case.case_no, "application"])
    assert client.get(material).status_code == 404
    response = client.post(act_url(case, "accept"), {"accept-version": case.version})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_the_clerk_downloads_an_uploaded_material(client, seed):
    case = submit_case(seed)
    client.force_login(seed.clerk)
    response = client.get(reverse("workbench:case_material", args=[case.case_no, "application"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_accepting_issues_the_acceptance_notice(client, seed):
    case = submit_case(seed)
    client.force_login(seed.clerk)
    response = client.post(act_url(case, "accept"), {"accept-version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    document = CaseDocument.objects.get(case=case, kind="acceptance_notice")
    page = text(client.get(case_url(case)))
    assert "已受理，受理通知书已出具" in page
    link = reverse("workbench:case_document", args=[case.case_no, document.number])
    assert link in page
    pdf = client.get(link)
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_stale_version_is_refused_with_a_message(client, seed):
    case = submit_case(seed)
    stale = case.version
    case_services.case_request_supplement(
        case_id=case.pk, actor=seed.clerk, items=[{"code": "layout", "name": "布局图"}]
    )
    client.force_login(seed.clerk)
    response = client.post(act_url(case, "refuse"), {"refuse-version": stale, "refuse-reason": "x"})
    assert response.status_code == 302
    assert "办件已被他人处理，请刷新" in text(client.get(response["Location"]))
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT_REQUESTED


def test_accepting_with_a_missing_material_says_what_is_missing(client, seed):
    case = submit_case(seed, layout=False)
    client.force_login(seed.clerk)
    response = client.post(act_url(case, "accept"), {"accept-version": case.version})
    assert response.status_code == 422
    assert "材料不齐全，不能受理：经营场所平面布局图" in text(response)
    # 容缺受理: the deferrable material may be deferred
    response = client.post(
        act_url(case, "accept"), {"accept-version": case.version, "accept-deferred": ["layout"]}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.materials.get(code="layout").kind == MaterialKind.DEFERRED


def test_one_supplement_notice_lists_everything_missing(client, seed):
    case = submit_case(seed, layout=False)
    client.force_login(seed.clerk)
    body = text(client.get(case_url(case)))
    assert 'name="request_supplement-materials" value="layout"' in body
    response = client.post(
        act_url(case, "request_supplement"),
        {
            "request_supplement-version": case.version,
            "request_supplement-materials": ["layout", "application"],
            "request_supplement-reason": "请提交清晰的原件扫描件",
            "request_supplement-other": "法定代表人签字",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT_REQUESTED
    items = case.events.get(action="request_supplement").details["items"]
    assert [i["name"] for i in items] == [
        "经营场所平面布局图",
        "食品经营许可申请书",
        "法定代表人签字",
    ]
    assert CaseDocument.objects.filter(case=case, kind="supplement_notice").count() == 1


def test_refusing_needs_a_reason(client, seed):
    case = submit_case(seed)
    client.force_login(seed.clerk)
    response = client.post(act_url(case, "refuse"), {"refuse-version": case.version})
    assert response.status_code == 422
    assert "请写明理由" in text(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_the_reviewer_starts_the_review_and_grants(client, seed):
    case = submit_case(seed)
    case = case_services.case_accept(case_id=case.pk, actor=seed.clerk)
    client.force_login(seed.reviewer)
    body = text(client.get(case_url(case)))
    assert act_url(case, "accept") not in body
    assert act_url(case, "extend") not in body  # only the department head extends
    client.post(act_url(case, "start_review"), {"start_review-version": case.version})
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_REVIEW
    assert case.reviewer == seed.reviewer
    response = client.post(
        act_url(case, "decide"),
        {
            "decide-version": case.version,
            "decide-outcome": "granted",
            "decide-reason": "符合条件",
            "decide-legal_basis": "《中华人民共和国食品安全法》第三十五条",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert case.outcome == "granted"
    assert CaseDocument.objects.filter(case=case, kind="grant_decision").exists()


def test_a_window_clerk_cannot_decide(client, seed):
    case = submit_case(seed)
    case = case_services.case_accept(case_id=case.pk, actor=seed.clerk)
    client.force_login(seed.clerk)
    response = client.post(
        act_url(case, "decide"),
        {"decide-version": case.version, "decide-outcome": "granted", "decide-reason": "x"},
    )
    assert response.status_code == 403


def test_only_the_department_head_sees_the_extension(client, seed):
    case = submit_case(seed)
    case = case_services.case_accept(case_id=case.pk, actor=seed.clerk)
    client.force_login(seed.head)
    assert act_url(case, "extend") in text(client.get(case_url(case)))
    response = client.post(
        act_url(case, "extend"),
        {"extend-version": case.version, "extend-days": 5, "extend-reason": "需现场核查"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extension_days == 5


def test_an_immediate_item_is_concluded_in_one_step(client, seed):
    case = submit_case(seed, item=seed.marriage)
    client.force_login(seed.clerk)
    body = text(client.get(case_url(case)))
    assert "当场办结" in body
    assert act_url(case, "accept") not in body
    response = client.post(
        act_url(case, "handle_immediately"),
        {
            "handle_immediately-version": case.version,
            "handle_immediately-outcome": "granted",
            "handle_immediately-reason": "符合结婚登记条件",
            "handle_immediately-legal_basis": "《婚姻登记条例》第四条",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED


# ---------------------------------------------------------------- 窗口收件


def test_intake_finds_a_registered_person_by_id_number(client, seed):
    client.force_login(seed.clerk)
    response = client.post(
        reverse("workbench:case_intake"), {"step": "person", "id_number": id_number(ZHANG_ID)}
    )
    assert response.status_code == 302
    body = text(client.get(response["Location"]))
    assert "张三" in body
    assert "320102********" in body
    assert id_number(ZHANG_ID) not in body


def test_intake_registers_a_new_person(client, seed):
    client.force_login(seed.clerk)
    number = id_number("32010219850505345")
    response = client.post(
        reverse("workbench:case_intake"), {"step": "person", "id_number": number}
    )
    assert "系统中没有该公民身份号码的登记信息" in text(response)
    response = client.post(
        reverse("workbench:case_intake"),
        {"step": "person", "id_number": number, "name": "王五", "phone": "13900000003"},
    )
    assert response.status_code == 302
    assert Person.objects.filter(name="王五").exists()


def test_intake_searches_items_in_the_clerks_scope_only(client, seed):
    client.force_login(seed.clerk)
    body = text(client.get(reverse("workbench:case_intake"), {"q": "食品"}))
    assert f"?item={seed.food.implementation_code}" in body
    assert seed.ganzhou.implementation_code not in body
    response = client.get(
        reverse("workbench:case_intake"), {"item": seed.ganzhou.implementation_code}
    )
    assert response.status_code == 404


def test_the_window_receives_paper_materials_and_submits(
    client, seed, django_assert_max_num_queries
):
    client.force_login(seed.clerk)
    client.post(
        reverse("workbench:case_intake"), {"step": "person", "id_number": id_number(ZHANG_ID)}
    )
    url = reverse("workbench:case_intake") + f"?item={seed.food.implementation_code}"
    body = text(client.get(url))
    assert "政府已有：免提交（通过数据共享获取）" in body  # 营业执照
    assert 'name="paper_application"' in body
    response = client.post(
        url,
        {
            "step": "submit",
            "item": seed.food.implementation_code,
            "situation": "",
            "f_applicant_name": "张三",
            "f_credit_code": "",
            "paper_application": "on",
            "m_layout": SimpleUploadedFile("图.pdf", PDF, "application/pdf"),
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    assert case.channel == "window"
    assert case.submitted_by == seed.clerk
    kinds = dict(case.materials.values_list("code", "kind"))
    assert kinds == {
        "application": MaterialKind.PAPER,
        "layout": MaterialKind.UPLOAD,
    }
    page = text(client.get(response["Location"]))
    assert "已收件" in page
    assert act_url(case, "accept") in page


def test_intake_shows_form_errors_next_to_the_fields(client, seed):
    client.force_login(seed.clerk)
    client.post(
        reverse("workbench:case_intake"), {"step": "person", "id_number": id_number(ZHANG_ID)}
    )
    url = reverse("workbench:case_intake") + f"?item={seed.food.implementation_code}"
    response = client.post(
        url,
        {
            "step": "submit",
            "item": seed.food.implementation_code,
            "f_applicant_name": "李四",
            "f_credit_code": "123",
        },
    )
    assert response.status_code == 422
    body = text(response)
    # The applicant's own name comes from the registry, not typed (issue 20, item 3):
    # a name posted for someone else changes nothing.
    assert 'name="f_applicant_name"' not in body and "来源：人口信息（已核验身份）" in body
    assert "统一社会信用代码：" in body
    assert Case.objects.count() == 0


def test_a_case_with_a_commitment_is_granted_from_the_case_page(client, seed):
    from tongban.cases.models import PostCheck

    guide = valid_guide(
        name="告知承诺事项",
        modes=["one_visit", "commitment"],
        commitment_text="本人承诺所填信息真实，符合许可条件。",
        audience=["person"],
        form=[{"code": "applicant_name", "label": "申请人名称"}],
    )
    basic = catalog_services.basic_item_create(
        code="010100900000",
        name="告知承诺事项",
        item_type="01",
        legal_basis="《国务院关于深化“证照分离”改革的通知》",
        levels="234",
    )
    item = catalog_services.guide_load_published(
        basic_item=basic, department=seed.food.department, content=guide
    )
    person = seed.citizen.person
    case = case_services.case_submit(
        service_item=item,
        channel="online",
        applicant_person=person,
        commitment=True,
        form_data={"applicant_name": "张三"},
        materials=[],
    )
    client.force_login(seed.clerk)
    page = client.get(reverse("workbench:case_detail", args=[case.case_no]))
    assert "按告知承诺准予许可" in page.content.decode()
    response = client.post(
        reverse("workbench:case_act", args=[case.case_no, "grant_on_commitment"]),
        {"grant_on_commitment-version": case.version,
         "grant_on_commitment-legal_basis": "《食品安全法》"},
    )  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert PostCheck.objects.filter(case=case).exists()


def test_a_clerk_reveals_the_applicants_phone_with_a_purpose_and_it_is_audited(client, seed):
    from tongban.core.models import AuditEvent

    case = submit_case(seed, form={"applicant_name": "张三", "phone": "13800000001"})
    client.force_login(seed.clerk)
    page = text(client.get(case_url(case)))
    reveal = reverse("workbench:case_reveal", args=[case.case_no])
    assert "138****0001" in page and "13800000001" not in page
    assert "查看完整信息" in page and reveal in page

    refused = client.post(reveal, {"field": "phone", "purpose": "看"})
    shown = client.post(reveal, {"field": "phone", "purpose": "电话通知补正"})

    assert refused.status_code == 422
    assert "须写明用途" in text(refused)
    assert shown.status_code == 200
    assert "13800000001" in text(shown)
    assert shown["Cache-Control"].startswith("no-store")
    event = AuditEvent.objects.get(action="case.form_revealed")
    assert event.details == {"field": "phone", "purpose": "电话通知补正"}
    client.force_login(seed.gz_clerk)
    assert client.post(reveal, {"field": "phone", "purpose": "电话通知补正"}).status_code == 404
