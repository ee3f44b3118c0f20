"""Models of electronic certificates, split by sub-domain (CONVENTIONS 1)."""

from tongban.certificates.models.certificates import (
    EXPIRED_LABEL,
    Certificate,
    CertificateEvent,
    CertificateSerial,
    CertificateStatus,
    KeyAlgorithm,
    KeyStatus,
    KeyUse,
    SigningKey,
)
from tongban.certificates.models.proofs import (
    REMOVED_STATUSES,
    PrintedCertification,
    PrintKind,
    ProofItem,
    ProofItemUse,
    ProofStatus,
    RegistryExtract,
)
from tongban.certificates.models.types import (
    CertificateType,
    CertificateTypeItem,
    FieldType,
    HolderKind,
    ValidityKind,
)
from tongban.certificates.models.wallet import AccessBasis, CertificateAccess, UseAuthorization

__all__ = [
    "EXPIRED_LABEL",
    "REMOVED_STATUSES",
    "AccessBasis",
    "Certificate",
    "CertificateAccess",
    "CertificateEvent",
    "CertificateSerial",
    "CertificateStatus",
    "CertificateType",
    "CertificateTypeItem",
    "FieldType",
    "HolderKind",
    "KeyAlgorithm",
    "KeyStatus",
    "KeyUse",
    "PrintKind",
    "PrintedCertification",
    "ProofItem",
    "ProofItemUse",
    "ProofStatus",
    "RegistryExtract",
    "SigningKey",
    "UseAuthorization",
    "ValidityKind",
]
