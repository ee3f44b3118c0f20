import pytest

from tongban.identity.selectors import legal_entity_find_by_credit_code
from tongban.identity.services import legal_entity_register

from .conftest import make_credit_code

pytestmark = pytest.mark.django_db


def test_a_legal_entity_is_found_by_its_credit_code_however_typed(
    citizen, django_assert_num_queries
):
    code = make_credit_code()
    company = legal_entity_register(
        credit_code=code, name="南京通办信息科技有限公司", legal_representative=citizen.person
    )
    assert legal_entity_find_by_credit_code(code) == company
    with django_assert_num_queries(1):  # the 法定代表人 comes with it
        found = legal_entity_find_by_credit_code(f"  {code.lower()} ")
        assert found is not None
        assert found.legal_representative == citizen.person


def test_an_unknown_or_empty_credit_code_finds_nothing(citizen, django_assert_num_queries):
    legal_entity_register(
        credit_code=make_credit_code(),
        name="南京通办信息科技有限公司",
        legal_representative=citizen.person,
    )
    assert legal_entity_find_by_credit_code(make_credit_code(body="70000002")) is None
    with django_assert_num_queries(0):
        assert legal_entity_find_by_credit_code("  ") is None
