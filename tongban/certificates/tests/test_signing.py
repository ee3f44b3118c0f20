"""SM2 against the standard's examples; identifiers against hand-computed checks.

No database: these are the pure parts (offline.py, signing.py, identifiers.py).
"""

from __future__ import annotations

import pytest

from tongban.certificates import identifiers, offline, signing
from tongban.core.errors import DomainError

# GB/T 32918.5-2017 (GM/T 0003.5-2012) 附录 A: 数字签名示例, sm2p256v1.
D = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
PUBLIC = bytes.fromhex(
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
MESSAGE = b"message digest"
E = bytes.fromhex("F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640")
K = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
R = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
S = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"


def test_sm2_public_key_from_the_standard_private_key():
    assert signing.sm2_public_key(D) == PUBLIC


def test_sm2_digest_of_the_standard_message_with_the_default_user_id():
    # e = SM3(Z_A ‖ M), Z_A with ID 1234567812345678 (GM/T 0009).
    assert signing.sm2_digest(PUBLIC, MESSAGE) == E


def test_sm2_signature_with_the_standard_k_is_the_standard_r_and_s():
    signature = signing.sm2_sign_digest(D, E, K)
    assert signature is not None
    assert signature.hex().upper() == R + S


def test_the_standard_signature_verifies_and_a_changed_one_does_not():
    signature = bytes.fromhex(R + S)
    assert offline.sm2_verify(PUBLIC, MESSAGE, signature)
    assert not offline.sm2_verify(PUBLIC, b"message digesT", signature)
    bad = bytearray(signature)
    bad[10] ^= 1
    assert not offline.sm2_verify(PUBLIC, MESSAGE, bytes(bad))


def test_r_or_s_out_of_range_is_refused():
    n = offline.N.to_bytes(32, "big")
    assert not offline.sm2_verify(PUBLIC, MESSAGE, n + bytes.fromhex(S))
    assert not offline.sm2_verify(PUBLIC, MESSAGE, bytes(32) + bytes.fromhex(S))


@pytest.mark.parametrize("algorithm", ["SM2", "Ed25519"])
def test_a_fresh_key_signs_and_verifies(algorithm):
    pair = signing.generate(algorithm)
    signature = signing.sign(algorithm, pair.private, pair.public, b"payload")
    assert signing.verify(algorithm, pair.public, b"payload", signature)
    assert not signing.verify(algorithm, pair.public, b"payloaD", signature)


def test_fresh_sm2_signatures_use_fresh_k():
    pair = signing.generate("SM2")
    first = signing.sign("SM2", pair.private, pair.public, b"same")
    assert first != signing.sign("SM2", pair.private, pair.public, b"same")


@pytest.mark.parametrize(
    ("body", "check"),
    [
        # p=36; "1": s=(36+1) mod 36=1, p=2·1 mod 37=2; check=(37−2) mod 36=35 → Z
        ("1", "Z"),
        # "A"=10: s=(36+10) mod 36=10, p=20; check=(37−20) mod 36=17 → H
        ("A", "H"),
        # "00": s=36 (0→36), p=72 mod 37=35; s=35, p=70 mod 37=33; check=4 → 4
        ("00", "4"),
        # ISO/IEC 7064 annex example (also python-stdnum's doctest)
        ("A12425GABC1234002", "M"),
    ],
)
def test_mod_37_36_check_character_against_hand_computed_cases(body, check):
    assert offline.mod_37_36(body) == check
    assert identifiers.check_character(body) == check


def test_an_identifier_round_trips_and_its_check_character_is_tested():
    made = identifiers.identifier_make(
        type_code="11100000DM0000013U001",
        issuer_code="113201000150986026",
        year=2026,
        number=1,
        version=1,
    )
    parsed = identifiers.identifier_parse(made)
    assert str(parsed) == made
    assert parsed.version == 1
    assert offline.identifier_check_ok(made)
    wrong = made[:-1] + ("0" if made[-1] != "0" else "1")
    with pytest.raises(DomainError) as caught:
        identifiers.identifier_parse(wrong)
    assert caught.value.code == "certificate_identifier_check_failed"
    assert not offline.identifier_check_ok(wrong)


@pytest.mark.parametrize("value", ["", "1.2.3", "1.2.156.3005.2.X", "a" * 200])
def test_a_malformed_identifier_is_refused_with_its_code(value):
    with pytest.raises(DomainError) as caught:
        identifiers.identifier_parse(value)
    assert caught.value.code == "certificate_identifier_invalid"
