"""The demo registries agree with the demo accounts, and loading is idempotent."""

from __future__ import annotations

from tongban.identity.models import LegalEntity, Person
from tongban.sharing.demo import demo_sharing_load
from tongban.sharing.models import BusinessRecord, DataResource, PopulationRecord
from tongban.sharing.registries import marital_status, population_get
from tongban.sharing.subjects import SubjectRef

from .conftest import T0


def test_every_demo_account_is_in_the_registries_with_its_name(world):
    for person in Person.objects.all():
        record = PopulationRecord.objects.get(id_number_token=person.id_number_token)
        assert (record.name, record.birth_date, record.sex) == (
            person.name,
            person.birth_date,
            person.sex,
        )
    for entity in LegalEntity.objects.select_related("legal_representative"):
        business = BusinessRecord.objects.get(credit_code=entity.credit_code)
        assert business.name == entity.name
        assert business.legal_representative is not None
        assert business.legal_representative.id_number_token == (
            entity.legal_representative.id_number_token
        )


def test_the_stories_of_demo_py_hold(world):
    def status(id_number):
        record = population_get(SubjectRef.person(id_number))
        assert record is not None
        return marital_status(record)[0]

    from .conftest import LI_NA, LIU_YANG, WANG_FANG, ZHANG_WEI

    assert [status(n) for n in (ZHANG_WEI, WANG_FANG, LI_NA, LIU_YANG)] == [
        "married",
        "married",
        "divorced",
        "unmarried",
    ]


def test_loading_twice_creates_nothing(world):
    counts = (DataResource.objects.count(), PopulationRecord.objects.count())
    assert demo_sharing_load(now=T0) == {"resources_created": 0, "registries_loaded": False}
    assert (DataResource.objects.count(), PopulationRecord.objects.count()) == counts
