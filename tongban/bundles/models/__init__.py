"""Models of bundles: definitions, applications, joint procedures, projects, alerts."""

from tongban.bundles.models.alerts import BundleAlert, BundleAlertLevel, BundleAlertRecipient
from tongban.bundles.models.applications import (
    ApplicationStatus,
    BundleApplication,
    BundleApplicationEvent,
    BundleMember,
    BundleNumberSequence,
    BundleUpload,
    DeliveryMethod,
    MemberStatus,
    NoticeStatus,
    SupplementNotice,
    UploadKind,
)
from tongban.bundles.models.definitions import (
    Bundle,
    BundleVersion,
    BundleVersionEvent,
    VersionStatus,
)
from tongban.bundles.models.joint import JointParticipant, JointProcedure, JointResult, JointStatus
from tongban.bundles.models.projects import (
    AssessmentKind,
    DevelopmentZone,
    InvestmentProject,
    ProjectCase,
    ProjectKind,
    RegionalAssessment,
)

__all__ = [
    "ApplicationStatus",
    "AssessmentKind",
    "Bundle",
    "BundleAlert",
    "BundleAlertLevel",
    "BundleAlertRecipient",
    "BundleApplication",
    "BundleApplicationEvent",
    "BundleMember",
    "BundleNumberSequence",
    "BundleUpload",
    "BundleVersion",
    "BundleVersionEvent",
    "DeliveryMethod",
    "DevelopmentZone",
    "InvestmentProject",
    "JointParticipant",
    "JointProcedure",
    "JointResult",
    "JointStatus",
    "MemberStatus",
    "NoticeStatus",
    "ProjectCase",
    "ProjectKind",
    "RegionalAssessment",
    "SupplementNotice",
    "UploadKind",
    "VersionStatus",
]
