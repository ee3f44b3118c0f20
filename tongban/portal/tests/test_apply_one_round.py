"""The application form reports every problem in one round and keeps the files
(issue 20, item 2): materials and fields together, files staged with the draft
across a refused submission and deleted after a day, and the field definition
as HTML attributes for the browser's help."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.cases import department_named
from tongban.cases.models import Case, CaseMaterial, MaterialKind
from tongban.catalog import services as catalog_services
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core import clock
from tongban.portal.models import StagedUpload
from tongban.portal.staging import staged_uploads_expire
from tongban.portal.tests.test_case_pages import (
    PDF,
    application,
    apply_url,
    form_token,
    seed_cases,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return seed_cases()


def test_a_missing_file_and_a_wrong_phone_are_reported_in_the_same_round(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    data = application(token, f_phone="abc")
    del data["m_application"]
    response = client.post(apply_url(seed.food), data)
    body = text(response)
    assert response.status_code == 422
    assert "请上传食品经营许可申请书" in body
    assert "联系电话：" in body and "手机号码无效" in body
    assert "共 2 处需要修改" in body
    assert "需要重新选择" not in body


def test_a_file_sent_with_a_refused_form_is_kept_for_the_corrected_one(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    refused = client.post(apply_url(seed.food), application(token, f_phone="12345"))
    body = text(refused)
    assert refused.status_code == 422
    assert "已上传的文件已为您保留" in body and "申请书.pdf" in body
    staged = StagedUpload.objects.get()
    assert (staged.user, staged.token, staged.code) == (seed.citizen, token, "application")

    data = application(token)
    del data["m_application"]  # not chosen again
    done = client.post(apply_url(seed.food), data)
    assert done.status_code == 302
    case = Case.objects.get()
    material = CaseMaterial.objects.get(case=case, code="application")
    assert material.kind == MaterialKind.UPLOAD and material.file_name == "申请书.pdf"
    assert material.file.read() == PDF
    assert not StagedUpload.objects.exists()  # discarded once the case holds it


def test_a_kept_file_can_be_deleted_and_is_then_asked_for(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    client.post(apply_url(seed.food), application(token, f_phone="12345"))
    data = application(token, drop_application="on")
    del data["m_application"]
    response = client.post(apply_url(seed.food), data)
    assert response.status_code == 422
    assert "请上传食品经营许可申请书" in text(response)
    assert not StagedUpload.objects.exists()


def test_another_account_never_gets_a_staged_file(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    client.post(apply_url(seed.food), application(token, f_phone="12345"))
    client.force_login(seed.other)
    data = application(token)
    del data["m_application"]
    response = client.post(apply_url(seed.food), data)
    assert response.status_code == 422
    assert "申请书.pdf" not in text(response)
    assert Case.objects.count() == 0


def test_a_file_that_is_not_what_it_says_is_refused_with_the_fields(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    fake = SimpleUploadedFile("申请书.pdf", b"MZ not a pdf", "application/pdf")
    response = client.post(
        apply_url(seed.food), application(token, m_application=fake, f_phone="1")
    )
    body = text(response)
    assert "只接受 PDF、JPG、PNG 或 OFD 文件" in body and "手机号码无效" in body
    assert not StagedUpload.objects.exists()


def test_staged_files_older_than_a_day_are_deleted(client, seed):
    client.force_login(seed.citizen)
    token = form_token(text(client.get(apply_url(seed.food))))
    client.post(apply_url(seed.food), application(token, f_phone="12345"))
    staged = StagedUpload.objects.get()
    storage, name = staged.file.storage, str(staged.file.name)
    assert staged_uploads_expire(now=clock.now() + dt.timedelta(hours=23)) == 0
    assert staged_uploads_expire(now=clock.now() + dt.timedelta(hours=25)) == 1
    assert not StagedUpload.objects.exists() and not storage.exists(name)


def test_the_field_definition_becomes_the_browsers_help(client, seed):
    licensing = seed.food.basic_item
    capital = catalog_services.guide_load_published(
        basic_item=licensing,
        department=department_named("320100", "民政局"),
        content=valid_guide(
            audience=["person"],
            form=[
                {
                    "code": "registered_capital",
                    "label": "注册资本（万元）",
                    "type": "number",
                    "min_value": 0,
                    "max_value": 100000000,
                    "decimals": 4,
                },
                {"code": "employees", "label": "从业人数", "type": "number", "decimals": 0},
                {"code": "start", "label": "开业日期", "type": "date", "min_date": "2026-01-01"},
                {"code": "contact_phone", "label": "经办人联系电话", "type": "phone"},
                {"code": "plate", "label": "车牌号", "pattern": "[A-Z0-9]{5,7}"},
            ],
        ),
    )
    client.force_login(seed.citizen)
    body = text(client.get(apply_url(capital)))
    assert 'min="0"' in body and 'max="100000000"' in body and 'step="0.0001"' in body
    assert 'step="1"' in body and 'inputmode="numeric"' in body
    assert 'type="date"' in body and 'min="2026-01-01"' in body
    assert 'pattern="1[3-9][0-9]{9}"' in body and 'pattern="[A-Z0-9]{5,7}"' in body
    assert "0 至 100000000，最多 4 位小数" in body
    assert body.count(" required") >= 5
    token = form_token(body)
    response = client.post(
        apply_url(capital),
        {
            "token": token,
            "situation": "",
            "q_q1": "no",
            "f_registered_capital": "-5",
            "f_employees": "3.5",
            "f_start": "2025-12-31",
            "f_contact_phone": "13800000001",
            "f_plate": "ab",
        },
    )
    body = text(response)
    assert response.status_code == 422
    assert "注册资本（万元）：不能小于 0" in body
    assert "从业人数：须为整数" in body
    assert "开业日期：日期须在 2026-01-01 至 2100-12-31 之间" in body
    assert "车牌号：格式不正确" in body


def test_a_field_the_situation_answered_is_not_asked_again(client, seed):
    """企业类型 answered in the situation walk is filled in from it (R-PL-2; item 3)."""
    guide = valid_guide(
        audience=["person"],
        situations=[
            {"code": "agent", "name": "委托代理人办理"},
            {"code": "llc", "name": "有限责任公司"},
            {"code": "sole", "name": "个人独资企业"},
        ],
        questions=[
            {
                "code": "q_type",
                "text": "您要设立的企业类型是？",
                "options": [
                    {"code": "a_llc", "label": "有限责任公司", "situation": "llc"},
                    {"code": "a_sole", "label": "个人独资企业", "situation": "sole"},
                ],
            }
        ],
        form=[
            {"code": "applicant_name", "label": "申请人姓名"},
            {"code": "entity_type", "label": "企业类型", "type": "select",
             "options": ["有限责任公司", "个人独资企业"], "question": "q_type"},
        ],
    )  # fmt: skip
    item = catalog_services.guide_load_published(
        basic_item=seed.food.basic_item,
        department=department_named("320100", "民政局"),
        content=guide,
    )
    client.force_login(seed.citizen)
    body = text(client.get(apply_url(item, "q_q_type=a_sole")))
    assert 'name="f_entity_type"' not in body and 'name="f_applicant_name"' not in body
    assert "个人独资企业" in body and "来源：您选择的情形" in body
    token = form_token(body)
    data = {
        "token": token,
        "situation": "sole",
        "q_q_type": "a_sole",
        "f_entity_type": "有限责任公司",  # posted against the walk: ignored
        "m_application": SimpleUploadedFile("申请书.pdf", PDF, "application/pdf"),
        "defer_layout": "on",
    }
    response = client.post(apply_url(item, "q_q_type=a_sole"), data)
    assert response.status_code == 302, text(response)
    case = Case.objects.get()
    assert case.form_data["entity_type"] == "个人独资企业"
    assert case.form_data["applicant_name"] == "张三"
