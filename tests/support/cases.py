"""Pieces of the case-page seeds (shared by the portal and workbench tests, which
the layer contract keeps apart)."""

from __future__ import annotations

from tongban.core.identifiers import generate_check_digit_resident
from tongban.identity import services as identity_services
from tongban.identity.models import User
from tongban.org.models import Department
from tongban.org.services import staff_assign

PASSWORD = "correct-horse-7"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def id_number(first17: str) -> str:
    return first17 + generate_check_digit_resident(first17)


def department_named(region_code: str, fragment: str) -> Department:
    """The first department of the region whose name contains ``fragment``."""
    department = (
        Department.objects.filter(region_id=region_code, name__contains=fragment)
        .order_by("id")
        .first()
    )
    assert department is not None
    return department


def staff_member(
    username: str, name: str, role: str, department: Department, *, only: bool
) -> User:
    """A staff account with ``role`` in ``department``; ``only`` limits the data
    scope to that department (otherwise its whole region)."""
    user = identity_services.staff_account_create(
        username=username, display_name=name, password=PASSWORD
    )
    staff_assign(
        user_id=user.pk,
        role=role,
        department=department,
        region_scope=department.region,
        scope_departments=[department] if only else [],
    )
    return user
