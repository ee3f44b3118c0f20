"""Request-level tests of the catalogue editor's pages (事项管理)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.accounts import make_citizen, make_clerk
from tests.support.catalog import seed_catalog
from tongban.catalog import services
from tongban.catalog.models import GuideEvent, GuideStatus, GuideVersion
from tongban.identity.models import User
from tongban.workbench.tests.catalog_fixtures import editor_form_data

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode("utf-8")


@pytest.fixture
def seed():
    return seed_catalog()


def login(client, username: str) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def item_url(item) -> str:
    return reverse("workbench:catalog_item", args=[item.implementation_code])


def draft_url(item) -> str:
    return reverse("workbench:catalog_draft", args=[item.implementation_code])


def open_draft(client, item) -> dict:
    """As the logged-in editor: new draft from the published version, return its form."""
    response = client.post(reverse("workbench:catalog_draft_new", args=[item.implementation_code]))
    assert response.status_code == 302
    assert response["Location"] == draft_url(item)
    page = client.get(draft_url(item))
    assert page.status_code == 200
    return editor_form_data(text(page))


# ---------------------------------------------------------------- who may enter


def test_an_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/workbench/catalog/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_a_citizen_is_refused(client):
    client.force_login(make_citizen())
    response = client.get("/workbench/catalog/")
    assert response.status_code == 403
    assert "工作台仅对政务服务工作人员开放" in text(response)


def test_a_window_clerk_is_not_a_catalogue_editor(client):
    client.force_login(make_clerk())
    response = client.get("/workbench/catalog/")
    assert response.status_code == 403
    assert "事项管理仅对事项编辑开放" in text(response)


def test_an_editor_sees_the_items_of_their_city_only(client, seed, django_assert_max_num_queries):
    login(client, "nj_editor")
    with django_assert_max_num_queries(12):
        response = client.get("/workbench/catalog/")
    body = text(response)
    assert response.status_code == 200
    assert seed.food.implementation_code in body
    assert seed.marriage.implementation_code in body
    assert seed.ganzhou.implementation_code not in body
    assert "第 1 版" in body


def test_the_item_list_costs_the_same_queries_with_more_drafts(
    client, seed, django_assert_num_queries
):
    user = login(client, "nj_editor")
    client.get("/workbench/catalog/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get("/workbench/catalog/")
    services.guide_draft_create(service_item=seed.food, actor=user)
    services.guide_draft_create(service_item=seed.marriage, actor=user)
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get("/workbench/catalog/")
    assert text(response).count("第 2 版 · 草稿") == 2


def test_the_list_searches_by_name_and_code(client, seed):
    login(client, "nj_editor")
    body = text(client.get("/workbench/catalog/", {"q": "结婚"}))
    assert seed.marriage.implementation_code in body
    assert seed.food.implementation_code not in body
    body = text(client.get("/workbench/catalog/", {"q": seed.food.implementation_code[:25]}))
    assert seed.food.implementation_code in body


def test_an_editor_of_ganzhou_gets_404_for_a_nanjing_item(client, seed):
    login(client, "gz_editor")
    for url in (item_url(seed.food), draft_url(seed.food)):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("workbench:catalog_draft_new", args=[seed.food.implementation_code])
    )
    assert response.status_code == 404
    assert not GuideVersion.objects.filter(service_item=seed.food, number=2).exists()
    assert client.get(item_url(seed.ganzhou)).status_code == 200


# ---------------------------------------------------------------- item page and drafts


def test_the_item_page_shows_versions_history_and_the_new_draft_action(client, seed):
    login(client, "nj_editor")
    response = client.get(item_url(seed.food))
    body = text(response)
    assert response.status_code == 200
    assert "食品经营许可证核发" in body
    assert "第 1 版" in body and "已发布" in body
    assert "新建草稿" in body
    assert "操作记录 · 第 1 版" in body
    assert "审核发布" in body  # the publish event of version 1


def test_a_new_draft_opens_the_editor_with_the_published_values(client, seed):
    login(client, "nj_editor")
    data = open_draft(client, seed.food)
    assert data["name"] == "食品经营许可证核发"
    assert data["promised_limit_value"] == "5"
    assert data["revision"] == "1"
    assert data["materials-TOTAL_FORMS"] == "5"  # four materials and a blank row
    assert data["materials-0-name"] == "食品经营许可申请书"
    assert sorted(data["modes"]) == ["appointment", "deferred_materials", "one_visit"]
    assert '"situations"' in data["advanced"]
    version = GuideVersion.objects.get(service_item=seed.food, number=2)
    assert version.status == GuideStatus.DRAFT
    assert version.created_by_id == User.objects.get(username="nj_editor").pk


def test_saving_the_draft_changes_the_promised_limit_and_counts_a_revision(client, seed):
    login(client, "nj_editor")
    data = open_draft(client, seed.food)
    data.update(promised_limit_value="3", change_note="承诺时限压缩为 3 个工作日", action="save")
    response = client.post(draft_url(seed.food), data)
    assert response.status_code == 302, text(response)[:2000]
    version = GuideVersion.objects.get(service_item=seed.food, number=2)
    assert version.revision == 2
    assert version.content["promised_limit"] == {"value": 3, "unit": "working_days"}
    assert version.change_note == "承诺时限压缩为 3 个工作日"
    # Everything not edited survives the round trip through the form.
    published = GuideVersion.objects.get(service_item=seed.food, number=1).content
    for key in ("materials", "steps", "legal_bases", "situations", "questions", "form", "contacts"):
        assert version.content[key] == published[key], key


def test_a_stale_revision_shows_the_conflict_and_keeps_the_input(client, seed):
    user = login(client, "nj_editor")
    data = open_draft(client, seed.food)
    version = GuideVersion.objects.get(service_item=seed.food, number=2)
    services.guide_draft_update(
        version=version, content=version.content, expected_revision=1, actor=user
    )
    data.update(promised_limit_value="4", action="save")
    response = client.post(draft_url(seed.food), data)
    assert response.status_code == 409
    body = text(response)
    assert "已被他人修改，请刷新" in body
    assert 'value="4"' in body
    version.refresh_from_db()
    assert version.content["promised_limit"]["value"] == 5


def test_form_errors_are_shown_next_to_their_inputs(client, seed):
    login(client, "nj_editor")
    data = open_draft(client, seed.food)
    data.update(promised_limit_value="", action="save")
    data["materials-1-code"] = "营业 执照"  # the guide's codes are letters and digits only
    response = client.post(draft_url(seed.food), data)
    body = text(response)
    assert response.status_code == 200
    assert "请填写承诺时限。" in body
    assert GuideVersion.objects.get(service_item=seed.food, number=2).revision == 1


def test_an_invalid_material_code_is_refused_at_its_row(client, seed):
    login(client, "nj_editor")
    data = open_draft(client, seed.food)
    data["materials-1-code"] = "营业 执照"
    data["action"] = "save"
    response = client.post(draft_url(seed.food), data)
    body = text(response)
    assert response.status_code == 200
    assert "申请材料 第 2 项 · 材料编码" in body
    assert 'id="id_materials-1-code_error"' in body


def test_invalid_json_in_the_advanced_section_is_refused(client, seed):
    login(client, "nj_editor")
    data = open_draft(client, seed.food)
    data.update(advanced="{not json", action="save")
    response = client.post(draft_url(seed.food), data)
    assert "JSON 格式有误" in text(response)
    assert GuideVersion.objects.get(service_item=seed.food, number=2).revision == 1


def test_a_material_can_be_added_and_deleted_through_the_formset(client, seed):
    login(client, "nj_editor")
    data = open_draft(client, seed.food)
    data.update(
        {
            "materials-4-code": "hygiene_cert",
            "materials-4-name": "从业人员健康证明",
            "materials-4-requirement": "required",
            "materials-4-originals": "1",
            "materials-4-copies": "0",
            "materials-4-media": "paper",
            "materials-4-source": "applicant",
            "materials-2-DELETE": "on",
            "action": "save",
        }
    )
    response = client.post(draft_url(seed.food), data)
    assert response.status_code == 302, text(response)[:3000]
    names = [
        m["name"]
        for m in GuideVersion.objects.get(number=2, service_item=seed.food).content["materials"]
    ]
    assert names == ["食品经营许可申请书", "营业执照", "授权委托书", "从业人员健康证明"]


def test_submitting_with_a_catch_all_material_shows_the_chinese_reason_and_stays_a_draft(
    client, seed
):
    login(client, "nj_editor")
    data = open_draft(client, seed.food)
    data.update(
        {
            "materials-4-code": "other",
            "materials-4-name": "其他材料",
            "materials-4-requirement": "required",
            "materials-4-originals": "1",
            "materials-4-copies": "0",
            "materials-4-media": "either",
            "materials-4-source": "applicant",
            "action": "submit",
        }
    )
    response = client.post(draft_url(seed.food), data)
    body = text(response)
    assert response.status_code == 200
    assert "未能提交审核" in body
    assert "申请材料 第 5 项" in body
    assert "其他材料" in body
    version = GuideVersion.objects.get(service_item=seed.food, number=2)
    assert version.status == GuideStatus.DRAFT
    assert version.revision == 2  # saved, not submitted
    # The page carries the new revision, so saving again does not conflict.
    assert 'name="revision" value="2"' in body


def test_submit_from_the_item_page_lists_the_lint_findings(client, seed):
    user = login(client, "nj_editor")
    version = services.guide_draft_create(service_item=seed.food, actor=user)
    content = dict(version.content)
    content["materials"] = [*content["materials"], {"code": "more", "name": "有关材料"}]
    services.guide_draft_update(version=version, content=content, expected_revision=1, actor=user)
    response = client.post(
        reverse("workbench:catalog_submit", args=[seed.food.implementation_code]), {"number": 2}
    )
    body = text(response)
    assert "不能发布" in body or "不符合规范" in body
    assert "申请材料 第 5 项" in body
    version.refresh_from_db()
    assert version.status == GuideStatus.DRAFT


def test_four_eyes_the_submitter_cannot_publish_and_a_second_editor_can(client, seed):
    login(client, "nj_editor")
    data = open_draft(client, seed.food)
    data.update(promised_limit_value="3", action="submit")
    response = client.post(draft_url(seed.food), data)
    assert response.status_code == 302
    version = GuideVersion.objects.get(service_item=seed.food, number=2)
    assert version.status == GuideStatus.IN_REVIEW
    page = text(client.get(item_url(seed.food)))
    assert "须由另一位事项编辑审核发布" in page
    review = reverse("workbench:catalog_review", args=[seed.food.implementation_code])
    refused = client.post(review, {"number": 2, "action": "publish", "comment": ""})
    assert refused.status_code == 403
    assert "提交审核的人不能审核发布自己提交的指南" in text(refused)
    version.refresh_from_db()
    assert version.status == GuideStatus.IN_REVIEW

    login(client, "nj_editor2")
    # No 修订说明 from the editor, none from the reviewer: publishing asks for one.
    unnoted = {"number": 2, "action": "publish", "comment": "同意发布", "change_note": ""}
    refused = client.post(review, unnoted)
    assert "请填写修订说明" in text(refused)
    version.refresh_from_db()
    assert version.status == GuideStatus.IN_REVIEW
    noted = {**unnoted, "change_note": "承诺时限由 5 个工作日压缩为 3 个工作日"}
    response = client.post(review, noted)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == GuideStatus.PUBLISHED
    assert version.reviewed_by_id == User.objects.get(username="nj_editor2").pk
    assert GuideEvent.objects.filter(version=version, action="publish").count() == 1
    seed.food.refresh_from_db()
    assert seed.food.current_version_id == version.pk
    assert seed.food.promised_days == 3
    guide = text(client.get(reverse("portal:service_guide", args=[seed.food.implementation_code])))
    assert "3 个工作日" in guide
    assert "第 2 版" in guide
    # the public guide's history shows each version's 修订说明 (issue 20, item 6)
    assert "修订记录" in guide and "承诺时限由 5 个工作日压缩为 3 个工作日" in guide
    assert "首次发布" in guide


def test_a_reviewer_returns_the_draft_with_a_comment(client, seed):
    submitter = login(client, "nj_editor")
    version = services.guide_draft_create(service_item=seed.food, actor=submitter)
    services.guide_submit(version=version, actor=submitter)
    login(client, "nj_editor2")
    review = reverse("workbench:catalog_review", args=[seed.food.implementation_code])
    missing = client.post(review, {"number": 2, "action": "reject", "comment": ""})
    assert "退回修改须写明意见" in text(missing)
    response = client.post(review, {"number": 2, "action": "reject", "comment": "请补充收费依据"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == GuideStatus.DRAFT
    assert "请补充收费依据" in text(client.get(item_url(seed.food)))


def test_a_version_in_review_cannot_be_edited(client, seed):
    user = login(client, "nj_editor")
    version = services.guide_draft_create(service_item=seed.food, actor=user)
    services.guide_submit(version=version, actor=user)
    response = client.get(draft_url(seed.food))
    assert response.status_code == 302
    assert response["Location"] == item_url(seed.food)


def test_the_comparison_lists_the_changed_fields_with_before_and_after(client, seed):
    user = login(client, "nj_editor")
    version = services.guide_draft_create(service_item=seed.food, actor=user)
    content = dict(version.content)
    content["promised_limit"] = {"value": 3, "unit": "working_days"}
    content["conditions"] = [*content["conditions"], "食品安全管理人员经考核合格"] * 3
    services.guide_draft_update(version=version, content=content, expected_revision=1, actor=user)
    response = client.get(
        reverse("workbench:catalog_compare", args=[seed.food.implementation_code]), {"a": 1, "b": 2}
    )
    body = text(response)
    assert response.status_code == 200
    # each change in words with labelled Chinese fields (issue 20, item 6)
    assert "承诺时限 由 5 个工作日 改为 3 个工作日" in body
    assert "受理条件 第 3 项 新增：食品安全管理人员经考核合格" in body
    assert '"value"' not in body  # no JSON
    assert "事项名称" not in body.split('class="change-list"')[1]  # unchanged fields left out


# ---------------------------------------------------------------- import / export


def test_the_export_downloads_the_region_workbook(client, seed):
    login(client, "nj_editor")
    page = text(client.get(reverse("workbench:catalog_transfer")))
    assert "?region=320100" in page
    response = client.get(reverse("workbench:catalog_export"), {"region": "320100"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
    assert client.get(reverse("workbench:catalog_export"), {"region": "360700"}).status_code == 404


def test_an_import_runs_in_the_background_and_shows_its_outcome(
    client, seed, django_capture_on_commit_callbacks
):
    login(client, "nj_editor")
    workbook = client.get(reverse("workbench:catalog_export"), {"region": "320100"}).content
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("catalog.xlsx", workbook)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workbench:catalog_transfer"), {"file": upload})
    assert response.status_code == 302
    status_page = client.get(response["Location"])
    assert status_page.status_code == 200
    assert "导入成功" in text(status_page)
    progress = client.get(response["Location"] + "progress/").json()
    assert progress["finished"] is True
    assert progress["status"] == "succeeded"
    # Someone else's import is not found.
    login(client, "nj_editor2")
    assert client.get(response["Location"]).status_code == 404


def test_a_file_that_is_not_xlsx_is_refused_on_the_form(client, seed):
    login(client, "nj_editor")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("workbench:catalog_transfer"),
        {"file": SimpleUploadedFile("list.csv", b"a,b\n")},
    )
    assert response.status_code == 200
    assert "只能导入 .xlsx 格式的文件" in text(response)
