import pytest
from django.core.management import call_command

from tongban.catalog.models import ServiceItem
from tongban.demo.sharing import PROVIDER_HEADS
from tongban.demo.staff import DEMO_STAFF, STAFF_PASSWORD
from tongban.hotline.demo import CITIES as HOTLINE_CITIES
from tongban.hotline.demo.categories import DEPARTMENTS as HOTLINE_DEPARTMENTS
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
        "service_items": ServiceItem.objects.filter(current_version__isnull=False).count(),
    }


@pytest.mark.django_db(transaction=True)
def test_the_demo_province_loads_once_with_every_role_and_the_catalogue():
    call_command("demo", "load")
    first = _counts()
    call_command("demo", "load")
    assert _counts() == first  # idempotent
    # The province's 100, and the 12345 handling departments the hotline adds per city.
    hotline_new = sum(1 for _suffix, new in HOTLINE_DEPARTMENTS.values() if new)
    assert first["departments"] == 100 + hotline_new * len(HOTLINE_CITIES)
    # The city staff, and the data providers' heads who answer sharing applications.
    assert first["assignments"] == len(DEMO_STAFF) + len(PROVIDER_HEADS)
    assert first["service_items"] >= 150
    roles = set(
        StaffAssignment.objects.filter(active=True).values_list("role", flat=True).distinct()
    )
    assert roles == set(Role.values)
    clerk = login_attempt(username="xw_clerk", password=STAFF_PASSWORD, address="127.0.0.1")
    assert clerk.kind == AccountKind.STAFF
    assert Role.WINDOW_CLERK in staff_scope_for(user=clerk).roles
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    _the_board_has_half_a_year_of_activity()


def _the_board_has_half_a_year_of_activity():
    """Cases through the services, decided mostly on time, rated, and the board's
    rollups built: a fresh `make run` shows figures, not an empty board."""
    from django.db.models import Sum

    from tongban.analytics import indicators as ind
    from tongban.analytics.models import Rollup
    from tongban.cases.models import Case
    from tongban.evaluation.models import Rating

    cases = Case.objects.filter(
        region_path__startswith=Department.objects.get(name="南京市市场监督管理局").region.path
    )
    from django.db.models import Count

    by_status = dict(cases.values_list("status").annotate(n=Count("id")))
    by_item = list(cases.values_list("service_item__name", "status").annotate(n=Count("id")))
    assert cases.count() >= 100 and by_status.get("concluded", 0) >= 60, (by_status, by_item)
    assert cases.filter(channel="window", window__isnull=False).exists()
    assert Rating.objects.filter(is_bad=False).exists()

    def total(metric):
        row = Rollup.objects.filter(metric=metric).aggregate(num=Sum("num"), den=Sum("den"))
        return row["num"] or 0, row["den"] or 0

    window, received = total(ind.CASES_ONE_WINDOW)
    assert 0 < window < received
    on_time, concluded = total(ind.CASES_ON_TIME)
    assert concluded * 0.6 < on_time < concluded  # mostly in time, some late
    good, rated = total(ind.RATINGS_GOOD)
    assert 0 < good < rated
    assert len(set(Rollup.objects.values_list("period", flat=True))) >= 5


@pytest.mark.django_db(transaction=True)
def test_if_empty_leaves_a_used_database_alone():
    User.objects.create_user(
        "someone", "x-Password-123", kind=AccountKind.CITIZEN, display_name="某人"
    )
    call_command("demo", "load", "--if-empty")
    assert Department.objects.count() == 0
