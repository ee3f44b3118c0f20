"""Models of the marketplace (agencies, purchases) and of public resource trading."""

from tongban.intermediaries.models.agencies import (
    Agency,
    AgencyPenalty,
    AgencyQualification,
    AgencyRating,
    AgencyService,
    Consortium,
    PenaltyKind,
    ServiceType,
)
from tongban.intermediaries.models.purchases import (
    ObjectionStatus,
    Purchase,
    PurchaseHistory,
    PurchaseObjection,
    PurchaseSignup,
    PurchaseStatus,
    SelectionMethod,
    SignupStatus,
)

__all__ = [
    "Agency",
    "AgencyPenalty",
    "AgencyQualification",
    "AgencyRating",
    "AgencyService",
    "Consortium",
    "ObjectionStatus",
    "PenaltyKind",
    "Purchase",
    "PurchaseHistory",
    "PurchaseObjection",
    "PurchaseSignup",
    "PurchaseStatus",
    "SelectionMethod",
    "ServiceType",
    "SignupStatus",
]
