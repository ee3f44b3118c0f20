import pytest
from django.core.management import call_command

from tongban.demo.staff import DEMO_STAFF, STAFF_PASSWORD
from tongban.identity.models import AccountKind, LegalEntity, Person, User
from tongban.identity.services import login_attempt
from tongban.org.models import Department, Role, StaffAssignment
from tongban.org.selectors import staff_scope_for


def _counts():
    return {
        "users": User.objects.count(),
        "persons": Person.objects.count(),
        "entities": LegalEntity.objects.count(),
        "departments": Department.objects.count(),
        "assignments": StaffAssignment.objects.filter(active=True).count(),
    }


@pytest.mark.django_db(transaction=True)
def test_loading_the_demo_twice_creates_everything_once():
    call_command("demo", "load")
    first = _counts()
    call_command("demo", "load")
    assert _counts() == first
    assert first["departments"] == 100
    assert first["assignments"] == len(DEMO_STAFF)


@pytest.mark.django_db(transaction=True)
def test_every_staff_role_has_a_demo_login_with_a_scope():
    call_command("demo", "load")
    roles = set(
        StaffAssignment.objects.filter(active=True).values_list("role", flat=True).distinct()
    )
    assert roles == set(Role.values)
    clerk = login_attempt(username="xw_clerk", password=STAFF_PASSWORD, address="127.0.0.1")
    assert clerk.kind == AccountKind.STAFF
    scope = staff_scope_for(user=clerk)
    assert Role.WINDOW_CLERK in scope.roles
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


@pytest.mark.django_db(transaction=True)
def test_if_empty_leaves_a_used_database_alone(capsys):
    User.objects.create_user(
        "someone", "x-Password-123", kind=AccountKind.CITIZEN, display_name="某人"
    )
    call_command("demo", "load", "--if-empty")
    assert Department.objects.count() == 0
