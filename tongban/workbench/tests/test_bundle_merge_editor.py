"""The merge editor of an 一件事 (R-BD-1): what was merged and why, an editor's
split or mapping saved on a draft and re-linted, then the four-eyes publish."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tongban.bundles.models import BundleVersion
from tongban.bundles.tests.conftest import world  # noqa: F401  (the module's demo world)
from tongban.bundles.tests.flows import merge_of
from tongban.identity.services import staff_account_create
from tongban.org.models import Role
from tongban.org.services import staff_assign

pytestmark = pytest.mark.django_db


def editor(name: str, department: Any) -> Client:
    user = staff_account_create(username=name, display_name=name, password="Pw-12345678")
    staff_assign(
        user_id=user.pk, role=Role.CATALOG_EDITOR, department=department,
        region_scope=department.region, scope_departments=[department],
    )  # fmt: skip
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_splits_a_merged_field_and_another_publishes(world):  # noqa: F811
    bundle = world.bundles["enterprise-opening"]
    lead = bundle.lead_departments.get()
    first, second = editor("ed1", lead), editor("ed2", lead)
    url = f"/workbench/bundles/definitions/{bundle.code}/merge/"
    merge = merge_of(bundle)
    shared = next(f for f in merge.fields if len(f.uses) > 1)
    page = first.get(url).content.decode()
    assert shared.reason in page and shared.code in page
    assert "新建草稿" in page and "单独填写" not in page  # the published version is read only

    assert first.post(url, {"action": "draft"}).status_code == 302
    draft = BundleVersion.objects.get(bundle=bundle, status="draft")
    use = shared.uses[1]
    stale = {"action": "split_field", "revision": draft.revision + 5,
             "member": use.member, "code": use.code}  # fmt: skip
    assert first.post(url, stale).status_code == 422  # someone changed it meanwhile
    split = {**stale, "revision": draft.revision}
    assert first.post(url, split).status_code == 302
    draft.refresh_from_db()
    assert draft.content["field_splits"] == [{"member": use.member, "field": use.code}]
    page = first.get(url).content.decode()
    assert f"单独填写：{use.member}.{use.code}" in page and "规范检查" in page

    # Undo it, then map it back explicitly (a mapping onto the same code).
    undo = {"action": "remove", "revision": draft.revision, "kind": "field_splits", "index": 0}
    assert first.post(url, undo).status_code == 302
    draft.refresh_from_db()
    assert draft.content["field_splits"] == []
    link = {"action": "link_field", "revision": draft.revision,
            "use": f"{use.member}:{use.code}", "to": shared.code}  # fmt: skip
    assert first.post(url, link).status_code == 302
    draft.refresh_from_db()
    assert draft.content["field_links"][-1] == {
        "member": use.member,
        "field": use.code,
        "to": shared.code,
    }

    assert first.post(url, {"action": "submit"}).status_code == 302
    refused = first.post(url, {"action": "publish"})
    assert refused.status_code == 422 and "不能审核发布自己提交" in refused.content.decode()
    assert second.post(url, {"action": "publish"}).status_code == 302
    bundle.refresh_from_db()
    assert bundle.current_version_id == draft.pk

    # Not an editor of the bundle's region: not found.
    clerk = Client()
    clerk.force_login(world.staff_of(lead))
    assert clerk.get(url).status_code == 404
