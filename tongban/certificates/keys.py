"""Departments' signing keys: created on first use, stored encrypted, rotated
with a new key id, published for offline verification (ADR-0007).

Private keys are SM4-GCM ciphertext under the platform's field keys
(core.crypto), bound to the key id by the associated data. A rotated key
("retired") still verifies what it signed; a revoked one (compromised)
verifies nothing, online or offline.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.certificates import errors, signing
from tongban.certificates.models import KeyAlgorithm, KeyStatus, KeyUse, SigningKey
from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.crypto import decrypt, encrypt
from tongban.core.errors import DomainError
from tongban.org.models import Department

SEAL_CERT_YEARS = 10


def _context(key_id: str) -> str:
    return f"certificates.signing_key.{key_id}"


def qr_algorithm() -> str:
    """The configured QR signature algorithm: SM2 (default) or Ed25519."""
    value = str(getattr(settings, "TONGBAN_CERTIFICATE_SIGNATURE_ALGORITHM", "SM2"))
    return KeyAlgorithm.ED25519 if value.lower() == "ed25519" else KeyAlgorithm.SM2


def _seal_material(department: Department, now: dt.datetime) -> tuple[bytes, str, str]:
    """An ECDSA P-256 key and a certificate naming the department (PAdES seal)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, department.name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{department.name}电子印章"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, department.credit_code),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * SEAL_CERT_YEARS))
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    private = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return private, public.hex(), pem


def _create(*, department: Department, use: str, algorithm: str, now: dt.datetime) -> SigningKey:
    key_id = f"{department.credit_code[-8:]}-{secrets.token_hex(4)}".lower()
    if use == KeyUse.PDF_SEAL:
        private, public_hex, pem = _seal_material(department, now)
    else:
        pair = signing.generate(algorithm)
        private, public_hex, pem = pair.private, pair.public.hex(), ""
    return SigningKey.objects.create(
        key_id=key_id,
        department=department,
        use=use,
        algorithm=algorithm,
        public_key=public_hex,
        private_key_enc=encrypt(private.hex(), context=_context(key_id)),
        certificate_pem=pem,
        created_at=now,
    )


def signing_key_active(
    *,
    department: Department,
    use: str = KeyUse.QR,
    algorithm: str = "",
    now: dt.datetime | None = None,
) -> SigningKey:
    """The department's key in use for ``use``, created on first need.

    Runs inside the caller's transaction; a concurrent first creation loses
    on the one-active constraint and reads the winner's key."""
    moment = now or clock.now()
    algorithm = algorithm or (KeyAlgorithm.ECDSA_P256 if use == KeyUse.PDF_SEAL else qr_algorithm())
    found = SigningKey.objects.filter(
        department=department, use=use, algorithm=algorithm, status=KeyStatus.ACTIVE
    ).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            key = _create(department=department, use=use, algorithm=algorithm, now=moment)
    except IntegrityError:
        return SigningKey.objects.get(
            department=department, use=use, algorithm=algorithm, status=KeyStatus.ACTIVE
        )
    audit_record(
        actor="system",
        action="certificates.key_create",
        object_type="signing_key",
        object_id=key.key_id,
        details={"department": department.pk, "use": use, "algorithm": algorithm},
        now=moment,
    )
    return key


def signing_key_rotate(
    *,
    department: Department,
    actor: Any,
    use: str = KeyUse.QR,
    algorithm: str = "",
    now: dt.datetime | None = None,
) -> SigningKey:
    """Retire the key in use (it still verifies) and make a new one with a new id."""
    moment = now or clock.now()
    algorithm = algorithm or (KeyAlgorithm.ECDSA_P256 if use == KeyUse.PDF_SEAL else qr_algorithm())
    with transaction.atomic():
        old = list(
            SigningKey.objects.select_for_update().filter(
                department=department, use=use, algorithm=algorithm, status=KeyStatus.ACTIVE
            )
        )
        for key in old:
            key.status = KeyStatus.RETIRED
            key.retired_at = moment
            key.save(update_fields=["status", "retired_at"])
        new = _create(department=department, use=use, algorithm=algorithm, now=moment)
        audit_record(
            actor=actor_label(actor),
            action="certificates.key_rotate",
            object_type="signing_key",
            object_id=new.key_id,
            details={"retired": [k.key_id for k in old], "department": department.pk},
            now=moment,
        )
    return new


def signing_key_revoke(
    *, key_id: str, actor: Any, reason: str, now: dt.datetime | None = None
) -> SigningKey:
    """作废 a compromised key: nothing it signed verifies any more."""
    moment = now or clock.now()
    if not (reason or "").strip():
        raise DomainError(errors.REASON_REQUIRED, "作废签名密钥须写明理由。")
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().filter(key_id=key_id).first()
        if key is None:
            raise DomainError(errors.KEY_UNKNOWN, f"签名密钥 {key_id} 不存在。")
        key.status = KeyStatus.REVOKED
        key.revoked_at = moment
        key.save(update_fields=["status", "revoked_at"])
        audit_record(
            actor=actor_label(actor),
            action="certificates.key_revoke",
            object_type="signing_key",
            object_id=key.key_id,
            details={"reason": reason.strip()[:500]},
            now=moment,
        )
    return key


def private_key(key: SigningKey) -> bytes:
    return bytes.fromhex(decrypt(key.private_key_enc, context=_context(key.key_id)))


def sign_with(key: SigningKey, message: bytes) -> bytes:
    return signing.sign(key.algorithm, private_key(key), bytes.fromhex(key.public_key), message)
