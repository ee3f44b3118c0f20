"""A 告知承诺 case granted to a legal entity, for the post-check page tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.tests.conftest import _staff
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core import clock
from tongban.credit.tests.conftest import entity_code, make_lists
from tongban.identity.services import legal_entity_register, person_register
from tongban.org.models import Role
from tongban.sharing.demo import demo_business_registered


@dataclass
class PostCheckWorld:
    clerk: Any
    reviewer: Any
    stranger: Any  # a window clerk of 赣州: another department and region
    entity: Any
    item: Any
    person: Any

    def grant(self, n: int = 1) -> list[Case]:
        """``n`` 告知承诺 cases of the entity, each granted on the spot."""
        granted = []
        for _ in range(n):
            case = services.case_submit(
                service_item=self.item,
                channel="online",
                applicant_entity=self.entity,
                agent_person=self.person,
                form_data={
                    "applicant_name": self.entity.name,
                    "credit_code": self.entity.credit_code,
                },
                materials=[],
                commitment=True,
                now=clock.now(),
            )
            granted.append(
                services.case_grant_on_commitment(
                    case_id=case.pk, actor=self.clerk, legal_basis="《食品安全法》第三十五条"
                )
            )
        return granted


def post_check_world() -> PostCheckWorld:
    lists = make_lists()  # the org and the 告知承诺失信名单 that lists by rule
    market = lists.market
    basic = basic_item_create(
        code="010000000199",
        name="食品经营许可（告知承诺）",
        item_type="01",
        legal_basis="《国务院关于深化“证照分离”改革的通知》",
        levels="234",
    )
    item = guide_load_published(
        basic_item=basic,
        department=market,
        content=valid_guide(
            name="食品经营许可（告知承诺）",
            modes=["one_visit", "commitment"],
            commitment_text="本人承诺所填信息真实，符合许可条件。",
        ),
    )
    person = person_register(name="张伟", id_number="11010519491231002X", phone="13800000001")
    entity = legal_entity_register(
        credit_code=entity_code(7), name="南京承诺餐饮有限公司", legal_representative=person
    )
    demo_business_registered(entity)
    return PostCheckWorld(
        clerk=_staff("market_clerk", Role.WINDOW_CLERK, market),
        reviewer=_staff("market_reviewer", Role.REVIEWER, market),
        stranger=_staff("gz_clerk", Role.WINDOW_CLERK, lists.other),
        entity=entity,
        item=item,
        person=person,
    )
