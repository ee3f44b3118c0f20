"""两个免于提交 on the application form (issue 10 #5): looked up before submission.

The form shows each government-issued material as provided, with its source,
only when the look-up for this applicant found it; otherwise it asks for the
upload and says why. Never a silent "provided".
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.db import rolled_back
from tests.support.exemptions import T0, exemption_world
from tongban.cases.models import Case, MaterialKind
from tongban.core import clock
from tongban.identity.models import LegalEntity, User
from tongban.portal.tests.test_case_pages import PDF, apply_url, form_token, text
from tongban.sharing.access_log import AccessLogEntry


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        yield exemption_world()


@pytest.fixture(autouse=True)
def _at_t0(db: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: T0)


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("申请书.pdf", PDF, "application/pdf")


def test_a_holder_of_both_sees_them_provided_with_their_source_and_uploads_neither(client, world):
    client.force_login(User.objects.get(username="biz1"))
    url = apply_url(world["item"])
    body = text(client.get(url))

    assert 'data-exempt="licence"' in body and 'data-exempt="id_card"' in body
    assert "市场主体登记信息" in body and "人口基础信息" in body
    assert 'name="m_licence"' not in body and 'name="m_id_card"' not in body
    previews = AccessLogEntry.objects.filter(purpose__startswith="网上申请预查")
    assert previews.count() == 2
    entity = LegalEntity.objects.get(name="南京通办信息科技有限公司")
    response = client.post(
        url,
        {
            "token": form_token(body),
            "q_q1": "no",
            "entity": str(entity.pk),
            "m_application": _upload(),
        },
    )
    assert response.status_code == 302, text(response)
    case = Case.objects.get(applicant_entity=entity)
    kinds = dict(case.materials.values_list("code", "kind"))
    assert kinds == {
        "application": MaterialKind.UPLOAD,
        "licence": MaterialKind.GOVERNMENT_DATA,
        "id_card": MaterialKind.GOVERNMENT_DATA,
    }
    # The refused-or-accepted form did not read the registries again.
    assert previews.count() == 2


def test_a_non_holder_is_asked_to_upload_and_told_why(client, world):
    client.force_login(User.objects.get(username="citizen1"))
    url = apply_url(world["item"])
    body = text(client.get(url))

    assert 'data-not-found="licence"' in body and 'name="m_licence"' in body
    assert "只能为法人或其他组织核验" in body
    assert 'data-exempt="id_card"' in body  # his own 居民身份证 is in 人口基础信息
    token = form_token(body)
    refused = client.post(url, {"token": token, "q_q1": "no", "m_application": _upload()})
    assert refused.status_code == 422
    assert "请上传营业执照" in text(refused)
    response = client.post(
        url,
        {
            "token": token,
            "q_q1": "no",
            "m_licence": _upload(),
        },
    )
    assert response.status_code == 302, text(response)
    case = Case.objects.get(applicant_person__name="张伟", applicant_entity=None)
    kinds = dict(case.materials.values_list("code", "kind"))
    assert kinds["licence"] == MaterialKind.UPLOAD
    assert kinds["id_card"] == MaterialKind.GOVERNMENT_DATA
