"""The case world of ``cases/tests`` with its accounts and a 南京 supervisor,
seeded once per module (rolled back at its end); each test runs in a savepoint.

Concluded cases are made through the case services: an immediate item
(即办件) is concluded in one action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.db import rolled_back
from tongban.cases import services as case_services
from tongban.cases.models import Case, MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests.conftest import T0, Accounts, World, _seed, _seed_accounts
from tongban.core.identifiers import generate_credit_code
from tongban.identity.models import User

PDF = b"%PDF-1.4 test document"


def _submit(world: World, at: dt.datetime) -> Case:
    return case_services.case_submit(
        service_item=world.immediate,
        channel="online",
        applicant_person=world.person,
        form_data={
            "applicant_name": "张伟",
            "credit_code": generate_credit_code("9132010270000001"),
        },
        materials=[
            MaterialInput(
                code="application", kind=MaterialKind.UPLOAD, content=PDF, file_name="申请书.pdf"
            ),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        now=at,
    )


@dataclass
class EvalWorld:
    cases: World
    accounts: Accounts

    @property
    def citizen(self) -> User:
        return self.accounts.citizen

    @property
    def supervisor(self) -> User:
        return self.accounts.supervisor

    def at(self, days: int = 0, hours: int = 0) -> dt.datetime:
        return T0 + dt.timedelta(days=days, hours=hours)

    def concluded_case(self) -> Case:
        w = self.cases
        case = _submit(w, self.at())
        return case_services.case_handle_immediately(
            case_id=case.pk,
            actor=w.clerk,
            outcome="granted",
            reason="当场办结",
            legal_basis="《食品经营许可和备案管理办法》",
            now=self.at(hours=1),
        )

    def open_case(self) -> Case:
        return _submit(self.cases, self.at())


@pytest.fixture(scope="module")
def ew(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        world = _seed()
        yield EvalWorld(cases=world, accounts=_seed_accounts(world))


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any) -> None:
    """Every test runs in its own savepoint (rolled back after it)."""
