"""Fixtures of the single sign-on tests: signing keys made at test time, users,
registered clients, and a live server's OIDC endpoints."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from tests.support.sms import sms  # noqa: F401  (the recording SMS gateway fixture)
from tongban.core.identifiers import generate_check_digit_resident, generate_credit_code
from tongban.identity.models import AuthorizationRole, User
from tongban.identity.services import (
    business_account_create,
    citizen_signup,
    legal_entity_register,
)
from tongban.sharing.demo import demo_business_registered
from tongban.sso import keys

PASSWORD = "Tongban@2026"
REDIRECT_URI = "http://127.0.0.1:9/callback"
LOGOUT_URI = "http://127.0.0.1:9/"


@functools.cache
def test_keys() -> tuple[str, str]:
    """Two RSA keys for the whole run (A signs first; B is the rotation)."""
    return keys.new_private_key_pem(), keys.new_private_key_pem()


def use_keys(settings: Any, *pems: str) -> None:
    """Sign with the first of ``pems`` and publish them all (as a rotated key file would)."""
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, **keys.provider_settings(list(pems))}


@pytest.fixture(autouse=True)
def oidc_keys(settings: Any) -> tuple[str, str]:
    a, b = test_keys()
    use_keys(settings, a)
    return a, b


def make_id(order: str = "001") -> str:
    first17 = "32010219850312" + order
    return first17 + generate_check_digit_resident(first17)


@pytest.fixture
def citizen(db: Any) -> User:
    return citizen_signup(
        username="zhangwei",
        phone="13800000001",
        password=PASSWORD,
        name="张伟",
        id_number=make_id(),
    )


@pytest.fixture
def business_user(db: Any, citizen: User) -> User:
    assert citizen.person is not None
    entity = legal_entity_register(
        credit_code=generate_credit_code("91320100" + "70000001"),
        name="南京示例科技有限公司",
        legal_representative=citizen.person,
    )
    demo_business_registered(entity)  # every authorization is checked against the 法人库
    return business_account_create(
        username="shili_boss",
        password=PASSWORD,
        person=citizen.person,
        legal_entity=entity,
        role=AuthorizationRole.LEGAL_REPRESENTATIVE,
    )


@pytest.fixture
def third_party(db: Any) -> tuple[Any, str]:
    from tongban.sso.services import client_register

    return client_register(
        name="示例第三方服务",
        redirect_uris=REDIRECT_URI,
        post_logout_redirect_uris=LOGOUT_URI,
    )
