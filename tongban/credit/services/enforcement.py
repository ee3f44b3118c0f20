"""The platform's own measures at its decision points (联合惩戒 on this platform).

``ensure_allowed`` is what intake calls before it grants 告知承诺 or 容缺受理: a
subject in a black list carrying the measure is refused with the list, the
basis and the way out (one query; docs/performance.md).
"""

from __future__ import annotations

import datetime as dt

from tongban.core.errors import DomainError
from tongban.credit import errors, selectors
from tongban.credit.models import Measure

WHAT = {
    Measure.COMMITMENT_INTAKE: "告知承诺",
    Measure.TOLERANCE_INTAKE: "容缺受理",
    Measure.MARKETPLACE: "中介服务",
    Measure.BIDDING: "招标投标",
}


def ensure_allowed(subject_code: str, *, measure: str, today: dt.date | None = None) -> None:
    found = selectors.restrictions(subject_code, measure=measure, today=today)
    if not found:
        return
    first = found[0]
    raise DomainError(
        errors.RESTRICTED,
        f"不能办理{WHAT.get(Measure(measure), measure)}：{first.message()}",
        extra={
            "measure": measure,
            "restrictions": [
                {
                    "list": r.list_name,
                    "department": r.department_name,
                    "legal_basis": r.legal_basis,
                    "valid_until": r.valid_until.isoformat(),
                    "way_out": r.way_out,
                }
                for r in found
            ],
        },
    )
