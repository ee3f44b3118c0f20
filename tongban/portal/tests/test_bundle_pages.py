"""一件事 pages of the portal: the list and guide, the one merged form, 我的一件事
and the combined supplement notice, on the demo bundles and their real guides."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.bundles.models import BundleApplication, SupplementNotice
from tongban.bundles.tests.conftest import pdf, world  # noqa: F401  (the module's demo world)
from tongban.bundles.tests.flows import fill, merge_of, submit
from tongban.cases import services as case_services
from tongban.cases.models import Case
from tongban.identity.services import citizen_signup
from tongban.org.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(world) -> Any:  # noqa: F811
    # 张伟, the person who founds the business in the demo world.
    return citizen_signup(
        phone="13800000001", password="Pw-12345678", name="张伟",
        id_number="320102198503120012", username="zhangwei",
    )  # fmt: skip


def _post_data(world, code: str, token: str, **form: Any) -> dict[str, Any]:  # noqa: F811
    merge = merge_of(world.bundles[code])
    data: dict[str, Any] = {"token": token}
    for key, value in fill(merge, **form).items():
        if value is True:
            data[f"f_{key}"] = "on"
        elif value is not False:
            data[f"f_{key}"] = str(value)
    for material in merge.materials_to_submit:
        if material.needed:
            data[f"m_{material.key}"] = SimpleUploadedFile(
                f"{material.spec.name}.pdf", pdf(material.key), content_type="application/pdf"
            )
    return data


def _token(page: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found, "the form carries a one-time token"
    return found.group(1)


def test_the_list_and_the_guide_say_what_is_merged_and_in_which_order(world):  # noqa: F811
    client = Client()
    index = client.get("/bundles/").content.decode()
    assert index.count('class="case-card"') == 13 and "企业开办" in index
    guide = client.get("/bundles/enterprise-opening/").content.decode()
    assert "省市场监管局" in guide and "第 2 批（并联办理）" in guide
    assert "少填" in guide and "在线申请" in guide
    assert client.get("/bundles/no-such-thing/").status_code == 404


def test_the_lists_take_a_fixed_number_of_queries(
    world,  # noqa: F811
    citizen,
    django_assert_max_num_queries,
):
    client = Client()
    with django_assert_max_num_queries(8):  # session, region, the page of bundles
        assert client.get("/bundles/").status_code == 200
    submit(world, "newborn")
    submit(world, "enterprise-opening")
    client.force_login(citizen)
    with django_assert_max_num_queries(12):  # the same for one application or twenty
        page = client.get("/my/bundles/").content.decode()
    assert page.count('class="case-card"') == 2


def test_the_form_asks_each_shared_field_and_material_once(world, citizen):  # noqa: F811
    client = Client()
    client.force_login(citizen)
    page = client.get("/bundles/enterprise-opening/apply/").content.decode()
    merge = merge_of(world.bundles["enterprise-opening"])
    assert page.count('name="f_entity_name"') == 1
    assert "企业设立登记、公章刻制备案" in page  # which members share the name
    for material in merge.materials_to_submit:
        assert page.count(f'name="m_{material.key}"') == 1
    # The applicant's own name and ID number come from the registration.
    assert 'name="f_applicant_id_number"' not in page


def test_one_submission_files_the_first_member_and_a_resubmission_creates_nothing(
    world,  # noqa: F811
    citizen,
    django_capture_on_commit_callbacks,
):
    client = Client()
    client.force_login(citizen)
    token = _token(client.get("/bundles/enterprise-opening/apply/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/bundles/enterprise-opening/apply/", _post_data(world, "enterprise-opening", token)
        )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    application = BundleApplication.objects.get()
    assert answer["Location"] == f"/my/bundles/{application.application_no}/"
    assert application.channel == "online" and application.members.count() == 6
    assert Case.objects.filter(bundle_member__application=application).count() == 1
    again = client.post(
        "/bundles/enterprise-opening/apply/", _post_data(world, "enterprise-opening", token)
    )
    assert again["Location"] == answer["Location"]
    assert BundleApplication.objects.count() == 1
    page = client.get(answer["Location"]).content.decode()
    assert "承诺办结" in page and "企业设立登记" in page and "南京市玄武区市场监督管理局" in page
    assert "提交申请" in page  # the timeline
    mine = client.get("/my/bundles/").content.decode()
    assert application.application_no in mine


def test_a_missing_shared_field_is_shown_once_with_its_members_and_nothing_is_filed(
    world,  # noqa: F811
    citizen,
):
    client = Client()
    client.force_login(citizen)
    token = _token(client.get("/bundles/enterprise-opening/apply/").content.decode())
    data = _post_data(world, "enterprise-opening", token)
    del data["f_entity_name"]
    answer = client.post("/bundles/enterprise-opening/apply/", data)
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "请填写单位（企业）名称" in page and "公章刻制备案" in page
    assert BundleApplication.objects.count() == 0 and Case.objects.count() == 0


def test_another_persons_application_is_not_found(world, citizen):  # noqa: F811
    application = submit(world, "newborn")
    other = citizen_signup(
        phone="13800000003", password="Pw-12345678", name="李娜",
        id_number="320106197811050045", username="lina",
    )  # fmt: skip
    client = Client()
    client.force_login(other)
    assert client.get(f"/my/bundles/{application.application_no}/").status_code == 404
    client.force_login(citizen)
    assert client.get(f"/my/bundles/{application.application_no}/").status_code == 200


def test_the_combined_supplement_notice_is_answered_once(
    world,  # noqa: F811
    citizen,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(world, "enterprise-opening", now=world.at())
    case = application.members.get(key="licence").case
    assert case is not None
    clerk = world.staff_of(case.department, Role.WINDOW_CLERK)
    material = case.rules["materials"][0]
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_request_supplement(
            case_id=case.pk, actor=clerk, now=world.at(hours=1),
            items=[{"code": material["code"], "name": material["name"], "reason": "签字不清"}],
        )  # fmt: skip
    notice = SupplementNotice.objects.get(application=application, status="open")
    client = Client()
    client.force_login(citizen)
    url = f"/my/bundles/{application.application_no}/"
    page = client.get(url).content.decode()
    assert "一次性告知" in page and "签字不清" in page
    empty = client.post(url + "supplement/", {})
    assert empty.status_code == 422
    files = {
        f"s_{item['key']}": SimpleUploadedFile("补正.pdf", pdf(item["key"]), "application/pdf")
        for item in notice.items
    }
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url + "supplement/", files)
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "answered"
    case.refresh_from_db()
    assert case.status == "supplemented"


def test_the_applicant_withdraws_with_the_version_shown(world, citizen):  # noqa: F811
    application = submit(world, "newborn")
    client = Client()
    client.force_login(citizen)
    url = f"/my/bundles/{application.application_no}/"
    assert "撤回申请" in client.get(url).content.decode()
    stale = client.post(url + "withdraw/", {"version": 99, "reason": "不办了"})
    assert stale.status_code == 422 and "请刷新后再操作" in stale.content.decode()
    application.refresh_from_db()
    assert application.status == "in_progress"
    done = client.post(url + "withdraw/", {"version": application.version, "reason": "不办了"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert application.events.filter(action="withdraw", reason="不办了").exists()
    case = application.members.get(key="cert").case
    assert case is not None and case.status == "withdrawn"
