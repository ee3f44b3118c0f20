"""我的评价 in the personal space: the account's own ratings, newest first."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.evaluation.services import rating_submit_for_case
from tongban.evaluation.tests.conftest import ew  # noqa: F401  (the evaluation world)

pytestmark = pytest.mark.django_db


def test_my_space_lists_my_ratings(client: Any, ew: Any) -> None:  # noqa: F811
    client.force_login(ew.citizen)
    assert "还没有评价" in client.get("/my/").content.decode()
    case = ew.concluded_case()
    rating, created = rating_submit_for_case(
        case_id=case.pk, rater=ew.citizen, level="very_satisfied", now=ew.at(hours=2)
    )
    assert created
    page = client.get("/my/").content.decode()
    assert f'data-rating="{rating.pk}"' in page and "非常满意" in page
    assert case.case_no in page
