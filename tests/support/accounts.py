"""Accounts for page tests: a citizen and a window clerk with a data scope (shared by
the portal and workbench tests, which the layer contract keeps apart)."""

from __future__ import annotations

from typing import Any

from tongban.core.identifiers import generate_check_digit_resident, generate_credit_code
from tongban.identity.models import User
from tongban.org import services as org_services
from tongban.org.models import Department, Region, Role

PASSWORD = "correct-horse-7"


def valid_id_number(first17: str = "32010219900101123") -> str:
    return first17 + generate_check_digit_resident(first17)


def make_citizen(*, username: str = "citizen1", display_name: str = "张小明") -> User:
    return User.objects.create_user(username, PASSWORD, kind="citizen", display_name=display_name)


def make_department() -> Department:
    if not Region.objects.filter(code="320102").exists():
        org_services.regions_load_from_file()
    region = Region.objects.get(code="320102")
    existing = Department.objects.filter(name="玄武区政务服务管理办公室").first()
    if existing is not None:
        return existing
    return org_services.department_create(
        name="玄武区政务服务管理办公室",
        credit_code=generate_credit_code("11320102MB000000"),
        region=region,
    )


def make_clerk(
    *,
    username: str = "clerk1",
    display_name: str = "李窗口",
    role: str = Role.WINDOW_CLERK,
    is_staff: bool = False,
) -> User:
    user = User.objects.create_user(
        username, PASSWORD, kind="staff", display_name=display_name, is_staff=is_staff
    )
    department = make_department()
    org_services.staff_assign(
        user_id=user.pk, role=role, department=department, region_scope=department.region
    )
    return user


def demo_people_load() -> dict[str, Any]:
    """The demo citizens and businesses, their 法人库 entries and the business
    accounts, in the order ``tongban demo load`` creates them (an account's
    authorization is checked against the 法人库, which the registries' demo fills)."""
    from tongban.identity.demo import demo_business_accounts_load, demo_identity_load
    from tongban.sharing.demo import demo_registries_load

    people = demo_identity_load()
    demo_registries_load()
    accounts = demo_business_accounts_load()
    return {
        "created": {**people["created"], "business_accounts": accounts["created"]},
        "citizens": people["citizens"],
        "legal_entities": people["legal_entities"],
        "business_accounts": accounts["business_accounts"],
    }
