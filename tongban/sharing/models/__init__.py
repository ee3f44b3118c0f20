"""Models of data sharing: the catalogue and its grants, the demo base
registries, and the access log."""

from tongban.sharing.models.access_log import (
    AccessLogEntry,
    AccessLogHead,
    AccessLogSeal,
    CallKind,
    Outcome,
)
from tongban.sharing.models.catalogue import (
    AccessGrant,
    AccessGrantEvent,
    DataResource,
    FieldType,
    GrantStatus,
    Registry,
    ResourceField,
    Sensitivity,
    SharingType,
    SubjectKind,
    UpdateFrequency,
)
from tongban.sharing.models.registries import (
    BirthRecord,
    BusinessRecord,
    BusinessStatus,
    HouseholdRecord,
    InsuranceKind,
    InsuranceStatus,
    MarriageRecord,
    PopulationRecord,
    RealEstateRecord,
    SocialInsuranceRecord,
)

__all__ = [
    "AccessGrant",
    "AccessGrantEvent",
    "AccessLogEntry",
    "AccessLogHead",
    "AccessLogSeal",
    "BirthRecord",
    "BusinessRecord",
    "BusinessStatus",
    "CallKind",
    "DataResource",
    "FieldType",
    "GrantStatus",
    "HouseholdRecord",
    "InsuranceKind",
    "InsuranceStatus",
    "MarriageRecord",
    "Outcome",
    "PopulationRecord",
    "RealEstateRecord",
    "Registry",
    "ResourceField",
    "Sensitivity",
    "SharingType",
    "SocialInsuranceRecord",
    "SubjectKind",
    "UpdateFrequency",
]
