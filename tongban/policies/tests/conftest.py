"""Fixtures of the policy tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.sms import sms  # noqa: F401  (the recording SMS gateway fixture)


@pytest.fixture
def grant_item(db: Any) -> Any:
    """A published item of 南京市 that a 免申即享 policy's grants are recorded under."""
    from tongban.catalog.services import basic_item_create, guide_load_published
    from tongban.catalog.tests.guide_factory import valid_guide
    from tongban.org.demo import demo_org_load
    from tongban.org.models import Department

    demo_org_load()
    basic = basic_item_create(
        code="050000000101",
        name="小微企业纾困补贴兑现",
        item_type="05",
        legal_basis="《南京市小微企业纾困补贴办法》",
        levels="234",
    )
    return guide_load_published(
        basic_item=basic,
        department=Department.objects.get(name="南京市市场监督管理局"),
        content=valid_guide(name="小微企业纾困补贴兑现"),
    )
