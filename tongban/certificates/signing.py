"""Signature primitives: SM2 with SM3 (GB/T 32918.2) and Ed25519 (RFC 8032).

Signing with SM2 uses the ``gmssl`` package's signature arithmetic (tested
against the GB/T 32918 / GM/T 0003.5 example in ``tests/test_signing.py``),
with two things done here rather than by the package, where it falls short:

- the per-signature random k comes from :mod:`secrets` (gmssl's default
  comes from :mod:`random`, which is predictable and would leak the key);
- e = SM3(Z_A ‖ M) is computed here, with the standard's Z_A (gmssl strips
  leading "0"/"4" characters from a public key that starts with them).

Verification is ``offline.sm2_verify`` (fast, and the routine verifiers run).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gmssl import sm2 as gmssl_sm2

from tongban.certificates import offline


@dataclass(frozen=True)
class KeyPair:
    algorithm: str
    private: bytes  # SM2: d (32 bytes); Ed25519: raw seed (32 bytes)
    public: bytes  # SM2: 04‖x‖y; Ed25519: 32 bytes


def sm2_public_key(private: bytes) -> bytes:
    d = int.from_bytes(private, "big")
    if not 1 <= d <= offline.N - 2:
        raise ValueError("SM2 private key out of range")
    point = offline.sm2_point(d)
    assert point is not None
    return b"\x04" + point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big")


def generate(algorithm: str) -> KeyPair:
    if algorithm == "SM2":
        d = secrets.randbelow(offline.N - 2) + 1  # 1 ≤ d ≤ n-2 (GB/T 32918.1 6.1)
        private = d.to_bytes(32, "big")
        return KeyPair("SM2", private, sm2_public_key(private))
    if algorithm == "Ed25519":
        key = Ed25519PrivateKey.generate()
        raw = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return KeyPair("Ed25519", raw, public)
    raise ValueError(f"unsupported algorithm {algorithm!r}")


def sm2_digest(public: bytes, message: bytes, uid: bytes = offline.DEFAULT_UID) -> bytes:
    """e = SM3(Z_A ‖ M) (GB/T 32918.2 6.1, A1–A2)."""
    return offline.sm3(offline.sm2_z(public, uid) + message)


def sm2_sign_digest(private: bytes, digest: bytes, k: int) -> bytes | None:
    """r‖s for digest e with the given k, by gmssl (None when k is unusable)."""
    signer = gmssl_sm2.CryptSM2(private_key=private.hex(), public_key="")
    result = signer.sign(digest, f"{k:064x}")
    return bytes.fromhex(result) if result else None


def sign(algorithm: str, private: bytes, public: bytes, message: bytes) -> bytes:
    """A 64-byte signature over ``message``."""
    if algorithm == "SM2":
        digest = sm2_digest(public, message)
        while True:
            k = secrets.randbelow(offline.N - 1) + 1  # A3: k ∈ [1, n-1]
            signature = sm2_sign_digest(private, digest, k)
            if signature is not None:
                return signature
    if algorithm == "Ed25519":
        return Ed25519PrivateKey.from_private_bytes(private).sign(message)
    raise ValueError(f"unsupported algorithm {algorithm!r}")


def verify(algorithm: str, public: bytes, message: bytes, signature: bytes) -> bool:
    key = offline.PublishedKey(key_id="-", algorithm=algorithm, public_key=public)
    if algorithm == "SM2":
        return offline.sm2_verify(key.public_key, message, signature)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
