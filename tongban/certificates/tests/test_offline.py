"""The offline QR check works with no Django and no database at all.

A subprocess imports only ``offline.py`` (by file path, so not even the
``tongban`` package is loaded) with Django made unimportable, and verifies a
payload signed here; tampered and truncated payloads fail with their codes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tongban.certificates import offline, signing

OFFLINE = Path(offline.__file__)


def _payload(algorithm: str, claims: dict[str, str] | None = None) -> tuple[str, dict[str, Any]]:
    pair = signing.generate(algorithm)
    body = offline.canonical_body(
        claims
        or {
            "a": algorithm,
            "k": "dept-1",
            "id": "1.2.156.3005.2.11100000DM0000013U001.113201000150986026.202600000001.001.B",
            "t": "营业执照",
            "h": "南京******有限公司",
            "o": "113201000150986026",
            "f": "2026-11-02",
            "u": "",
        }
    )
    signature = signing.sign(algorithm, pair.private, pair.public, offline.DOMAIN + body)
    payload = f"TB1.{offline.b64url(body)}.{offline.b64url(signature)}"
    keys = {
        "keys": [
            {
                "key_id": "dept-1",
                "use": "qr",
                "algorithm": algorithm,
                "public_key": pair.public.hex(),
            }
        ]
    }
    return payload, keys


SCRIPT = r"""
import importlib.util, json, sys
sys.modules["django"] = None  # any Django import fails
spec = importlib.util.spec_from_file_location("offline_copy", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
keys = module.keys_from_document(json.loads(sys.argv[2]))
out = []
for text in sys.argv[3:]:
    try:
        claims = module.verify_qr(text, keys)
        out.append(["ok", claims.identifier, claims.type_name])
    except module.QrError as exc:
        out.append([exc.code, exc.detail])
print(json.dumps(out, ensure_ascii=False))
print("django" in sys.modules and sys.modules["django"] is not None)
"""


@pytest.mark.parametrize("algorithm", ["SM2", "Ed25519"])
def test_a_qr_verifies_offline_without_django_or_a_database(algorithm):
    payload, keys = _payload(algorithm)
    head, body, signature = payload.split(".")
    tampered_body = offline.canonical_body(
        {**json.loads(offline._unb64url(body)), "t": "食品经营许可证"}
    )
    tampered = f"{head}.{offline.b64url(tampered_body)}.{signature}"
    url = f"https://tongban.example/certificates/verify/?p={payload}"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            str(OFFLINE),
            json.dumps(keys),
            payload,
            url,
            tampered,
            payload[:-20],
            payload.replace("dept-1", "x"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = result.stdout.strip().splitlines()
    answers = json.loads(lines[0])
    assert answers[0][0] == "ok" and answers[0][2] == "营业执照"
    assert answers[1][0] == "ok"  # the address the phone camera reads
    assert answers[2][0] == "certificate_signature_invalid"
    assert answers[3][0] in {"certificate_qr_malformed", "certificate_signature_invalid"}
    assert lines[1] == "False"  # Django never loaded


def test_an_unknown_or_revoked_key_fails():
    payload, keys = _payload("SM2")
    with pytest.raises(offline.QrUnknownKey):
        offline.verify_qr(payload, {})
    key = offline.keys_from_document(keys)["dept-1"]
    revoked = {"dept-1": offline.PublishedKey(key.key_id, key.algorithm, key.public_key, "revoked")}
    with pytest.raises(offline.QrUnknownKey):
        offline.verify_qr(payload, revoked)


@pytest.mark.parametrize("cut", [1, 5, 30, 90, 200])
def test_a_payload_cut_short_never_verifies(cut):
    payload, keys = _payload("SM2")
    with pytest.raises(offline.QrError):
        offline.verify_qr(payload[:-cut], offline.keys_from_document(keys))


@pytest.mark.parametrize(
    "text", ["", "hello", "TB1..", "TB1.e30.AA", "https://x/?q=1", "TB1.!!!.???"]
)
def test_garbage_is_malformed(text):
    with pytest.raises(offline.QrMalformed):
        offline.verify_qr(text, {})
