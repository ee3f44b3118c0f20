import pytest

from tests.support.accounts import demo_people_load
from tongban.core.identifiers import validate_credit_code, validate_resident_id
from tongban.identity.demo import (
    DEMO_BUSINESSES,
    DEMO_CITIZENS,
    DEMO_STAFF_PASSWORD,
    demo_staff_account,
)
from tongban.identity.models import AccountKind, BusinessAuthorization, LegalEntity, User
from tongban.identity.selectors import legal_entities_for_user

pytestmark = pytest.mark.django_db


def test_demo_identifiers_are_valid():
    for citizen in DEMO_CITIZENS:
        validate_resident_id(citizen.id_number)
    for business in DEMO_BUSINESSES:
        validate_credit_code(business.credit_code)


def test_loading_the_demo_twice_creates_everything_once():
    first = demo_people_load()
    counts = (
        User.objects.count(),
        LegalEntity.objects.count(),
        BusinessAuthorization.objects.count(),
    )
    second = demo_people_load()
    assert counts == (10, 3, 5)
    assert (
        User.objects.count(),
        LegalEntity.objects.count(),
        BusinessAuthorization.objects.count(),
    ) == counts
    assert first["created"]["citizens"] == [
        "citizen1",
        "citizen2",
        "citizen3",
        "citizen4",
        "citizen5",
    ]
    assert second["created"] == {"citizens": [], "legal_entities": [], "business_accounts": []}
    agent = User.objects.get(username="biz1agent")
    assert [e.name for e in legal_entities_for_user(user=agent)] == ["南京通办信息科技有限公司"]


def test_a_demo_staff_account_is_created_once():
    user = demo_staff_account("clerk1", "窗口一")
    assert user.kind == AccountKind.STAFF
    assert user.check_password(DEMO_STAFF_PASSWORD)
    assert demo_staff_account("clerk1", "窗口一").pk == user.pk
