"""Demo fee rules over the demo guides' fees (idempotent).

The demo catalogue lists fees as text (收费标准 with its 收费依据); these rules
make a few of them computable so that a demo applicant pays online: the
passport, the 港澳 pass and the resident identity card (工本费, fixed), and
the 港澳 endorsement by a table (one- or two-entry) where the guide asks.
"""

from __future__ import annotations

from typing import Any

from tongban.catalog.models import ServiceItem
from tongban.payments.services import fee_rule_save

# fee name (as the guide writes it) → the rule's fields
RULES: dict[str, dict[str, Any]] = {
    "普通护照工本费": {"rule": "fixed", "amount_fen": 12000},
    "往来港澳通行证工本费": {"rule": "fixed", "amount_fen": 6000},
    "居民身份证工本费": {"rule": "fixed", "amount_fen": 2000},
}


def demo_payments_load() -> dict[str, int]:
    """Fee rules for every published demo item whose guide lists one of ``RULES``."""
    saved = 0
    items = ServiceItem.objects.filter(current_version__isnull=False).select_related(
        "current_version"
    )
    for item in items.iterator():
        content = item.current_version.content if item.current_version else {}
        if not content or content.get("free", True):
            continue
        for fee in content.get("fees") or []:
            spec = RULES.get(str(fee.get("name", "")))
            if spec is None or not fee.get("basis"):
                continue
            fee_rule_save(service_item=item, fee_name=fee["name"], basis=fee["basis"], **spec)
            saved += 1
    return {"fee_rules": saved}
