"""Reads of the proof-item list (证明事项清单, R-EC-4): public."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from tongban.certificates import errors
from tongban.certificates.models import REMOVED_STATUSES, ProofItem, ProofStatus
from tongban.core.errors import DomainError


def proof_item_list(*, status: str = "", basic_item_code: str = "") -> QuerySet[ProofItem]:
    items = ProofItem.objects.prefetch_related("uses").order_by("code")
    if status:
        items = items.filter(status=status)
    if basic_item_code:
        items = items.filter(uses__basic_item_code=basic_item_code).distinct()
    return items


def proof_item_get(*, code: str) -> ProofItem:
    item = ProofItem.objects.prefetch_related("uses").filter(code=code).first()
    if item is None:
        raise DomainError(errors.PROOF_ITEM_NOT_FOUND, f"证明事项 {code[:20]} 不存在。")
    return item


@dataclass(frozen=True)
class ProofFigures:
    total: int  # every certification ever listed (the baseline)
    retained: int
    sharing: int
    commitment: int
    abolished: int

    @property
    def removed(self) -> int:
        return self.sharing + self.commitment + self.abolished

    @property
    def removed_share(self) -> float:
        """Share of certifications cut (R-EC-4 asks for at least 60 %)."""
        return self.removed / self.total if self.total else 0.0


def proof_figures() -> ProofFigures:
    """The counts, in one query."""
    counts = ProofItem.objects.aggregate(
        total=Count("id"),
        retained=Count("id", filter=Q(status=ProofStatus.RETAINED)),
        sharing=Count("id", filter=Q(status=ProofStatus.SHARING)),
        commitment=Count("id", filter=Q(status=ProofStatus.COMMITMENT)),
        abolished=Count("id", filter=Q(status=ProofStatus.ABOLISHED)),
    )
    return ProofFigures(**counts)


__all__ = ["REMOVED_STATUSES", "ProofFigures", "proof_figures", "proof_item_get", "proof_item_list"]
