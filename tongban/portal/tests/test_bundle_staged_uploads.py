"""一表申请 keeps the files that passed across a refused submission, as the single
item's form does (issue 20, item 2): the applicant corrects the form and submits
again without choosing every file again."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from tongban.bundles.models import BundleApplication, BundleUpload
from tongban.bundles.tests.conftest import pdf, world  # noqa: F401  (the module's demo world)
from tongban.bundles.tests.flows import merge_of
from tongban.cases.models import Case
from tongban.identity.services import citizen_signup
from tongban.portal.bundle_forms import STAGED_CODE_LENGTH, staged_code
from tongban.portal.models import StagedUpload
from tongban.portal.tests.test_bundle_pages import _post_data, _token

pytestmark = pytest.mark.django_db
URL = "/bundles/enterprise-opening/apply/"


@pytest.fixture
def citizen(world) -> Any:  # noqa: F811
    return citizen_signup(
        phone="13800000001", password="Pw-12345678", name="张伟",
        id_number="320102198503120012", username="zhangwei",
    )  # fmt: skip


def _without_files(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not k.startswith("m_")}


def test_a_refused_submission_keeps_the_files_and_the_next_one_uses_them(
    world,  # noqa: F811
    citizen,
    django_capture_on_commit_callbacks,
):
    client = Client()
    client.force_login(citizen)
    token = _token(client.get(URL).content.decode())
    merge = merge_of(world.bundles["enterprise-opening"])
    wanted = [m for m in merge.materials_to_submit if m.needed]
    data = _post_data(world, "enterprise-opening", token)
    del data["f_entity_name"]
    refused = client.post(URL, data)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "已上传的文件已为您保留" in page
    assert page.count('class="staged-file"') == len(wanted)
    for material in wanted:
        assert f'name="drop_{material.key}"' in page
    assert StagedUpload.objects.filter(user=citizen, token=token).count() == len(wanted)
    assert BundleApplication.objects.count() == 0 and Case.objects.count() == 0

    # The name filled in, no file chosen again: the kept files go in.
    again = _without_files(_post_data(world, "enterprise-opening", token))
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(URL, again)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    application = BundleApplication.objects.get()
    stored = {u.material_key: u for u in BundleUpload.objects.filter(application=application)}
    for material in wanted:
        upload = stored[material.key]
        assert upload.sha256 == hashlib.sha256(pdf(material.key)).hexdigest()
        assert upload.file_name == f"{material.spec.name}.pdf"
    # Submitted: the draft's files are gone.
    assert not StagedUpload.objects.filter(user=citizen).exists()


def test_a_deleted_kept_file_is_asked_for_again(world, citizen):  # noqa: F811
    client = Client()
    client.force_login(citizen)
    token = _token(client.get(URL).content.decode())
    data = _post_data(world, "enterprise-opening", token)
    del data["f_entity_name"]
    assert client.post(URL, data).status_code == 422
    merge = merge_of(world.bundles["enterprise-opening"])
    dropped = next(m for m in merge.materials_to_submit if m.needed)
    again = {**_without_files(_post_data(world, "enterprise-opening", token))}
    again[f"drop_{dropped.key}"] = "on"
    answer = client.post(URL, again)
    assert answer.status_code == 422
    page = answer.content.decode()
    assert f"请提交“{dropped.spec.name}”" in page
    assert not StagedUpload.objects.filter(code=staged_code(dropped.key)).exists()
    assert BundleApplication.objects.count() == 0


def test_a_file_that_is_not_a_document_is_not_kept(world, citizen):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(citizen)
    token = _token(client.get(URL).content.decode())
    merge = merge_of(world.bundles["enterprise-opening"])
    bad = next(m for m in merge.materials_to_submit if m.needed)
    data = _post_data(world, "enterprise-opening", token)
    data[f"m_{bad.key}"] = SimpleUploadedFile("x.pdf", b"MZ not a pdf", "application/pdf")
    answer = client.post(URL, data)
    assert answer.status_code == 422
    assert not StagedUpload.objects.filter(code=staged_code(bad.key)).exists()
    kept = StagedUpload.objects.filter(user=citizen, token=token).count()
    assert kept == len([m for m in merge.materials_to_submit if m.needed]) - 1


@pytest.mark.parametrize(
    "key",
    [
        "licence.M01",
        "a" * 40,
        # A member key and a material code of 40 characters each (bundles.content.Code).
        "m" * 40 + "." + "c" * 40,
    ],
)
def test_a_material_key_is_staged_under_a_code_that_fits(key):
    code = staged_code(key)
    assert len(code) <= STAGED_CODE_LENGTH
    assert StagedUpload._meta.get_field("code").max_length == STAGED_CODE_LENGTH
    if len(key) <= STAGED_CODE_LENGTH:
        assert code == key


def test_long_keys_with_the_same_head_are_staged_apart():
    head = "member-with-a-long-key-of-forty-chars-xx"
    assert staged_code(f"{head}.M01") != staged_code(f"{head}.M02")
