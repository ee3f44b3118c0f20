"""Demo accounts: citizens, businesses with their accounts, and staff logins.

Idempotent: loading twice creates nothing the second time. The ID numbers
and credit codes are generated (valid check characters, fictitious people
and companies); the passwords are public by design and for demos only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tongban.core.identifiers import generate_check_digit_resident, generate_credit_code
from tongban.identity.models import AccountKind, AuthorizationRole, LegalEntity, Person, User
from tongban.identity.services import (
    business_account_create,
    citizen_signup,
    legal_entity_register,
    staff_account_create,
)

# Demo passwords, documented in the README: never use these outside a demo.
DEMO_CITIZEN_PASSWORD = "Tongban@2026"  # noqa: S105  (public demo password)
DEMO_BUSINESS_PASSWORD = "Tongban@2026"  # noqa: S105  (public demo password)
DEMO_STAFF_PASSWORD = "Tongban@2026"  # noqa: S105  (public demo password)


@dataclass(frozen=True)
class DemoCitizen:
    username: str
    name: str
    # GB 11643: 6-digit address code, birth date, 3-digit order code (odd: male).
    region_code: str
    birth: str
    order: str
    phone: str

    @property
    def id_number(self) -> str:
        first17 = self.region_code + self.birth + self.order
        return first17 + generate_check_digit_resident(first17)


DEMO_CITIZENS = (
    DemoCitizen("citizen1", "张伟", "320102", "19850312", "001", "13800000001"),  # 南京玄武
    DemoCitizen("citizen2", "王芳", "320104", "19900618", "002", "13800000002"),  # 南京秦淮
    DemoCitizen("citizen3", "李娜", "320106", "19781105", "004", "13800000003"),  # 南京鼓楼
    DemoCitizen("citizen4", "刘洋", "360702", "19951220", "013", "13800000004"),  # 赣州章贡
    DemoCitizen("citizen5", "欧阳明", "360703", "20010909", "025", "13800000005"),  # 赣州南康
)


@dataclass(frozen=True)
class DemoBusiness:
    name: str
    # GB 32100: 9 (市场监管) 1 (企业), registering authority's region, org body.
    first16: str
    representative: str  # username of the citizen who is 法定代表人

    @property
    def credit_code(self) -> str:
        return generate_credit_code(self.first16)


DEMO_BUSINESSES = (
    DemoBusiness("南京通办信息科技有限公司", "9132010070000001", "citizen1"),
    DemoBusiness("南京秦淮味道餐饮管理有限公司", "9132010470000002", "citizen2"),
    DemoBusiness("赣州章贡脐橙农业发展有限公司", "9136070270000003", "citizen4"),
)

# (username, operator citizen, business index, role, granted by username)
DEMO_BUSINESS_ACCOUNTS = (
    ("biz1", "citizen1", 0, AuthorizationRole.LEGAL_REPRESENTATIVE, None),
    ("biz1agent", "citizen3", 0, AuthorizationRole.AGENT, "biz1"),
    ("biz2", "citizen2", 1, AuthorizationRole.LEGAL_REPRESENTATIVE, None),
    ("biz3", "citizen4", 2, AuthorizationRole.LEGAL_REPRESENTATIVE, None),
    ("biz3agent", "citizen5", 2, AuthorizationRole.AGENT, "biz3"),
)


def _person_of(username: str) -> Person:
    user = User.objects.select_related("person").get(username=username)
    assert user.person is not None
    return user.person


def demo_identity_load() -> dict[str, Any]:
    """Create the demo citizens and businesses that are missing.

    The business accounts come after the 法人库 is filled, which is the
    registries' demo (``sharing``): ``tongban.demo`` loads the three in order,
    and tests do it through ``tests.support.accounts.demo_people_load``.
    """
    created: dict[str, list[str]] = {"citizens": [], "legal_entities": []}
    with transaction.atomic():
        for citizen in DEMO_CITIZENS:
            if not User.objects.filter(username=citizen.username).exists():
                citizen_signup(
                    username=citizen.username,
                    phone=citizen.phone,
                    password=DEMO_CITIZEN_PASSWORD,
                    name=citizen.name,
                    id_number=citizen.id_number,
                )
                created["citizens"].append(citizen.username)
        for business in DEMO_BUSINESSES:
            is_new = not LegalEntity.objects.filter(credit_code=business.credit_code).exists()
            legal_entity_register(
                credit_code=business.credit_code,
                name=business.name,
                legal_representative=_person_of(business.representative),
            )
            if is_new:
                created["legal_entities"].append(business.credit_code)
    return {
        "created": created,
        "citizens": [c.username for c in DEMO_CITIZENS],
        "legal_entities": [b.credit_code for b in DEMO_BUSINESSES],
        "password": DEMO_CITIZEN_PASSWORD,
    }


def demo_business_accounts_load() -> dict[str, Any]:
    """Create the demo business accounts that are missing.

    Every authorization is checked against the 法人库, so the demo businesses
    and their representatives must be registered there first (the registries'
    demo) and exist here (:func:`demo_identity_load`).
    """
    created: list[str] = []
    with transaction.atomic():
        entities = [
            LegalEntity.objects.get(credit_code=business.credit_code)
            for business in DEMO_BUSINESSES
        ]
        for username, operator, index, role, granted_by in DEMO_BUSINESS_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            business_account_create(
                username=username,
                password=DEMO_BUSINESS_PASSWORD,
                person=_person_of(operator),
                legal_entity=entities[index],
                role=role,
                granted_by=User.objects.get(username=granted_by) if granted_by else None,
            )
            created.append(username)
    return {
        "created": created,
        "business_accounts": [a[0] for a in DEMO_BUSINESS_ACCOUNTS],
        "password": DEMO_BUSINESS_PASSWORD,
    }


def demo_staff_account(username: str, display_name: str) -> User:
    """The demo staff login ``username`` (created once, password DEMO_STAFF_PASSWORD).

    Its roles and data scopes are assigned by ``org`` (the caller).
    """
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        if existing.kind != AccountKind.STAFF:
            raise ValueError(f"demo account {username!r} exists and is not a staff account")
        return existing
    return staff_account_create(
        username=username, display_name=display_name, password=DEMO_STAFF_PASSWORD
    )
