"""Field encryption (SM4-GCM), search tokens (HMAC-SM3), SM3 and display masking."""

from __future__ import annotations

import base64
import json
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from tongban.core import crypto
from tongban.core.crypto import DecryptionError, decrypt, encrypt, key_id_of, search_token
from tongban.core.masking import mask_id_number, mask_name, mask_phone

K1 = "k1:0f1e2d3c4b5a69788796a5b4c3d2e1f0"
K2 = "k2:00112233445566778899aabbccddeeff"
ID = "11010519491231002X"


def test_sm3_of_abc_is_the_gb_t_32905_test_vector():
    assert crypto.sm3_hex(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_sm3_of_the_512_bit_message_is_the_second_gb_t_32905_test_vector():
    assert crypto.sm3_hex(b"abcd" * 16) == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_a_value_decrypts_to_itself_in_its_own_column():
    token = encrypt(ID, context="identity.person.id_number")

    assert token.startswith("sm4gcm:k2:")
    assert ID not in token
    assert decrypt(token, context="identity.person.id_number") == ID


def test_chinese_text_round_trips():
    token = encrypt("欧阳修", context="c")

    assert decrypt(token, context="c") == "欧阳修"


def test_the_same_value_encrypts_differently_each_time():
    assert encrypt(ID, context="c") != encrypt(ID, context="c")


def test_a_ciphertext_copied_into_another_column_does_not_decrypt():
    token = encrypt(ID, context="identity.person.id_number")

    with pytest.raises(DecryptionError):
        decrypt(token, context="identity.person.phone")


def _flip(token: str, index: int) -> str:
    prefix, key_id, blob = token.split(":", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[index] ^= 0x01
    return f"{prefix}:{key_id}:{base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("index", [0, 12, -1], ids=["nonce", "body", "tag"])
def test_a_tampered_ciphertext_does_not_decrypt(index):
    token = encrypt(ID, context="c")

    with pytest.raises(DecryptionError):
        decrypt(_flip(token, index), context="c")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "sm4gcm:k2:not base64!",
        "sm4gcm:k2:" + base64.b64encode(b"short").decode(),
        "aes:k2:" + base64.b64encode(b"\0" * 40).decode(),
        "sm4gcm:k9:" + base64.b64encode(b"\0" * 40).decode(),  # unknown key id
    ],
)
def test_a_malformed_ciphertext_is_a_decryption_error(token):
    with pytest.raises(DecryptionError):
        decrypt(token, context="c")


def test_a_ciphertext_under_a_retired_key_still_decrypts_after_rotation(settings):
    settings.TONGBAN_FIELD_KEYS = [K1, K2]
    crypto.reset_keyring()
    old = encrypt(ID, context="c")
    assert key_id_of(old) == "k1"

    settings.TONGBAN_FIELD_KEYS = [K2, K1]  # rotated: k2 encrypts now, k1 still decrypts
    crypto.reset_keyring()

    assert decrypt(old, context="c") == ID
    assert key_id_of(encrypt(ID, context="c")) == "k2"


def test_a_ciphertext_under_a_removed_key_does_not_decrypt(settings):
    settings.TONGBAN_FIELD_KEYS = [K1]
    crypto.reset_keyring()
    old = encrypt(ID, context="c")

    settings.TONGBAN_FIELD_KEYS = [K2]
    crypto.reset_keyring()

    with pytest.raises(DecryptionError, match="unknown key id 'k1'"):
        decrypt(old, context="c")


@pytest.mark.parametrize(
    "entry",
    [
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",  # no key id
        ":0f1e2d3c4b5a69788796a5b4c3d2e1f0",  # empty key id
        "k1:not-hex",
        "k1:0f1e2d3c",  # 4 bytes, SM4 needs 16
    ],
)
def test_a_badly_configured_field_key_is_refused(settings, entry):
    settings.TONGBAN_FIELD_KEYS = [entry]
    crypto.reset_keyring()

    with pytest.raises(ImproperlyConfigured):
        encrypt(ID, context="c")


def test_a_search_token_is_stable_and_depends_on_value_and_column():
    token = search_token(ID, context="identity.person.id_number")

    assert token == search_token(ID, context="identity.person.id_number")
    assert len(token) == 64
    assert token != search_token("110105194912310021", context="identity.person.id_number")
    assert token != search_token(ID, context="identity.person.phone")


def test_a_search_token_is_keyed(settings):
    with_test_key = search_token(ID, context="c")
    settings.TONGBAN_SEARCH_KEY = "another-search-key"
    crypto.reset_keyring()

    assert search_token(ID, context="c") != with_test_key
    assert with_test_key != crypto.sm3_hex(b"c\x00" + ID.encode())  # not a bare hash


def _no_keys(settings, path):
    settings.TONGBAN_FIELD_KEYS = []
    settings.TONGBAN_SEARCH_KEY = ""
    settings.TONGBAN_LOCAL_KEY_FILE = path
    crypto.reset_keyring()


def test_without_configured_keys_a_private_local_key_file_is_created(settings, tmp_path):
    path = tmp_path / "var" / "field-keys.json"
    settings.TONGBAN_REQUIRE_KEYS = False
    _no_keys(settings, path)

    token = encrypt(ID, context="c")

    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["field_keys"][0].startswith("local1:")
    assert key_id_of(token) == "local1"
    crypto.reset_keyring()  # a restart reads the same file, so old values still decrypt
    assert decrypt(token, context="c") == ID
    assert json.loads(path.read_text(encoding="utf-8")) == stored


def test_without_configured_keys_production_refuses_to_start(settings, tmp_path):
    path = tmp_path / "field-keys.json"
    settings.TONGBAN_REQUIRE_KEYS = True
    _no_keys(settings, path)

    with pytest.raises(ImproperlyConfigured, match="required"):
        encrypt(ID, context="c")
    assert not path.exists()


# --- Masking --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110101199003071234", "110101********1234"),
        ("11010519491231002X", "110105********002X"),
        ("1234567890", "**********"),  # too short to keep both ends
    ],
)
def test_an_id_number_keeps_the_first_six_and_last_four(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13812345678", "138****5678"), (" 13812345678 ", "138****5678"), ("1234567", "*******")],
)
def test_a_phone_keeps_the_first_three_and_last_four(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳修", "欧阳*"),  # 复姓 kept whole
        ("司马相如", "司马**"),
        ("欧阳", "欧*"),  # a two-character name is surname + given name
        ("张", "张*"),
        ("", ""),
    ],
)
def test_a_name_keeps_only_the_surname(value, masked):
    assert mask_name(value) == masked
