"""Sealed bids (电子投标文件加密), ``tongban-bid-v1``: pure, no Django (docs/marketplace.md §4).

A bid is sealed under a fresh 128-bit content key ``K`` with SM4-GCM. ``K`` is
split in two: the bidder's **decryption code** ``B`` (16 random bytes, handed to
the bidder and never stored, only its SM3 hash) and ``K ⊕ B``, which is wrapped
to the tender's **opening key** — X25519 (ECDH, HKDF-SM3, SM4-GCM) by default,
or SM2 public-key encryption (GB/T 32918.4) where configured. Opening needs
both halves: the opening key's private half (sealed by the platform's key ring,
released only at the opening time) and the bidder's code (given by the bidder
at the opening, 投标人解密). Before the opening nobody holds both.

Envelope: ``bid1.<base64url(JSON)>`` with ``scheme``, ``eph`` (X25519 ephemeral
public key), ``wrapped`` (wrapped ``K ⊕ B``), ``nonce`` and ``body`` (ciphertext
and tag); the associated data binds it to the tender and the bidder.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from gmssl import sm2

VERSION = "tongban-bid-v1"
SCHEMES = ("x25519", "sm2")
_PREFIX = "bid1."
_RAW = serialization.Encoding.Raw


class SealError(Exception):
    """An envelope that does not open: wrong key, wrong code, altered, or malformed."""


@dataclass(frozen=True)
class OpeningKey:
    scheme: str
    public: str  # hex
    private: str  # hex: never stored in clear


@dataclass(frozen=True)
class Sealed:
    envelope: str
    decryption_code: str  # hex, for the bidder only
    code_hash: str  # SM3 of the code, stored to check the bidder's confirmation


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


def sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _sm4_gcm_seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(12)
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    return nonce + enc.update(plaintext) + enc.finalize() + enc.tag


def _sm4_gcm_open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < 28:
        raise SealError("ciphertext too short")
    nonce, body, tag = blob[:12], blob[12:-16], blob[-16:]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    try:
        return dec.update(body) + dec.finalize()
    except InvalidTag:
        raise SealError("authentication failed") from None


def _kek(shared: bytes, eph: bytes, aad: bytes) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=16, salt=eph, info=VERSION.encode() + aad).derive(
        shared
    )


def opening_key_new(scheme: str) -> OpeningKey:
    """A fresh opening key pair for one tender."""
    if scheme == "x25519":
        key = X25519PrivateKey.generate()
        private = key.private_bytes(
            _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        public = key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
        return OpeningKey(scheme, public.hex(), private.hex())
    if scheme == "sm2":
        n = int(sm2.default_ecc_table["n"], 16)
        d = f"{secrets.randbelow(n - 2) + 1:064x}"  # 1 ≤ d ≤ n-2 (GB/T 32918.1 6.1)
        public = sm2.CryptSM2(private_key=d, public_key="")._kg(
            int(d, 16), sm2.default_ecc_table["g"]
        )
        return OpeningKey(scheme, public, d)
    raise ValueError(f"unknown scheme {scheme!r}")


def _wrap(scheme: str, public: str, half: bytes, aad: bytes) -> dict[str, str]:
    if scheme == "x25519":
        eph = X25519PrivateKey.generate()
        eph_public = eph.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
        shared = eph.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(public)))
        return {
            "eph": _b64(eph_public),
            "wrapped": _b64(_sm4_gcm_seal(_kek(shared, eph_public, aad), half, aad)),
        }
    wrapped = sm2.CryptSM2(private_key="", public_key=public).encrypt(half)
    return {"eph": "", "wrapped": _b64(wrapped)}


def _unwrap(scheme: str, private: str, parts: dict[str, str], aad: bytes) -> bytes:
    if scheme == "x25519":
        eph_public = _unb64(parts["eph"])
        key = X25519PrivateKey.from_private_bytes(bytes.fromhex(private))
        shared = key.exchange(X25519PublicKey.from_public_bytes(eph_public))
        return _sm4_gcm_open(_kek(shared, eph_public, aad), _unb64(parts["wrapped"]), aad)
    signer = sm2.CryptSM2(private_key=private, public_key="")
    half = signer.decrypt(_unb64(parts["wrapped"]))
    if not half or len(half) != 16:
        raise SealError("SM2 unwrap failed")
    return bytes(half)


def seal(plaintext: bytes, *, scheme: str, public: str, aad: bytes) -> Sealed:
    """Seal ``plaintext`` to the opening key; the result's code goes to the bidder only."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}")
    content_key = secrets.token_bytes(16)
    code = secrets.token_bytes(16)
    half = bytes(a ^ b for a, b in zip(content_key, code, strict=True))
    doc = {"v": VERSION, "scheme": scheme, **_wrap(scheme, public, half, aad)}
    doc["body"] = _b64(_sm4_gcm_seal(content_key, plaintext, aad))
    envelope = _PREFIX + _b64(json.dumps(doc, separators=(",", ":")).encode("ascii"))
    return Sealed(envelope, code.hex(), sm3(code))


def unseal(envelope: str, *, private: str, decryption_code: str, aad: bytes) -> bytes:
    """Open an envelope with the opening key's private half and the bidder's code."""
    try:
        if not envelope.startswith(_PREFIX):
            raise SealError("not a sealed bid")
        doc = json.loads(_unb64(envelope[len(_PREFIX) :]))
        if doc.get("v") != VERSION or doc.get("scheme") not in SCHEMES:
            raise SealError("unknown envelope version")
        code = bytes.fromhex(decryption_code)
        if len(code) != 16:
            raise SealError("decryption code must be 16 bytes")
        half = _unwrap(doc["scheme"], private, doc, aad)
        content_key = bytes(a ^ b for a, b in zip(half, code, strict=True))
        return _sm4_gcm_open(content_key, _unb64(doc["body"]), aad)
    except SealError:
        raise
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise SealError(f"malformed envelope: {exc}") from None
