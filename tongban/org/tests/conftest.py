"""Fixtures of the organisation tests: the committed region file and small factories."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tongban.org.demo import credit_code_for
from tongban.org.models import Department, DepartmentKind, Region
from tongban.org.selectors import region_get
from tongban.org.services import department_create, regions_load_from_file

_serial = itertools.count(1)


@pytest.fixture
def regions() -> None:
    regions_load_from_file()


def make_department(code: str, name: str, kind: str = DepartmentKind.ORDINARY) -> Department:
    region: Region = region_get(code)
    return department_create(
        name=name,
        credit_code=credit_code_for(name=name, region_code=code),
        region=region,
        kind=kind,
    )


def make_user(name: str = "") -> Any:
    # The user model belongs to identity, which org may not import: go through the setting.
    number = next(_serial)
    return get_user_model().objects.create(
        username=name or f"staff{number}", kind="staff", display_name=name or f"工作人员{number}"
    )
