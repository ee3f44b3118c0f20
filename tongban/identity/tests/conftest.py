"""Fixtures for identity tests: valid generated ID numbers and ready accounts."""

from __future__ import annotations

import pytest

from tests.support.sms import sms  # noqa: F401  (the recording SMS gateway fixture)
from tongban.core.identifiers import generate_check_digit_resident, generate_credit_code
from tongban.identity.models import User
from tongban.identity.services import citizen_signup

PASSWORD = "Tongban@2026"


def make_id(region: str = "320102", birth: str = "19850312", order: str = "001") -> str:
    first17 = region + birth + order
    return first17 + generate_check_digit_resident(first17)


def make_credit_code(body: str = "70000001", region: str = "320100") -> str:
    return generate_credit_code("91" + region + body)


@pytest.fixture
def citizen(db) -> User:
    return citizen_signup(
        username="citizen1",
        phone="13800000001",
        password=PASSWORD,
        name="张伟",
        id_number=make_id(),
    )
