"""Demo data of electronic certificates: the catalogue of types and the proof
items (idempotent; called by ``tongban demo load``)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from tongban.certificates.models import CertificateType, ValidityKind
from tongban.certificates.services.types import COMMON_FIELDS, certificate_type_upsert
from tongban.core.identifiers import generate_credit_code


@cache
def _data(name: str) -> Any:
    text = resources.files("tongban.certificates.demo.data").joinpath(name).read_text("utf-8")
    return yaml.safe_load(text)


def ministry_code(index: int) -> str:
    """A demo 统一社会信用代码 for the index-th ministry (1 机构编制, 1 机关, 100000
    national): valid check characters, not the ministry's real code."""
    return generate_credit_code(f"11100000DM{index:06d}")


def demo_types() -> list[dict[str, Any]]:
    """Every demo type as keyword arguments of ``certificate_type_upsert``."""
    out = []
    for m_index, ministry in enumerate(_data("types.yaml")["ministries"], start=1):
        credit = ministry_code(m_index)
        for t_index, entry in enumerate(ministry["types"], start=1):
            holder = "entity" if entry["template"] == "entity" else "person"
            fields = [dict(f) for f in COMMON_FIELDS[holder]]
            for key, label, kind, public in entry.get("fields", []):
                fields.append({"key": key, "label": label, "type": kind, "public": bool(public)})
            out.append(
                {
                    "code": f"{credit}{t_index:03d}",
                    "name": entry["name"],
                    "ministry": ministry["name"],
                    "ministry_credit_code": credit,
                    "holder_kind": holder,
                    "face_fields": fields,
                    "validity_kind": {
                        "long_term": ValidityKind.LONG_TERM,
                        "years": ValidityKind.YEARS,
                        "face": ValidityKind.FACE,
                    }[entry["validity"]],
                    "validity_years": entry.get("years"),
                    "legal_basis": entry.get("basis", ""),
                    "aliases": entry.get("aliases", []),
                }
            )
    return out


def demo_certificate_types_load() -> dict[str, int]:
    """Create or update the demo types; {"created": n, "total": n}."""
    created = 0
    for kwargs in demo_types():
        _, new = certificate_type_upsert(**kwargs)
        created += int(new)
    return {"created": created, "total": CertificateType.objects.count()}


def demo_proof_items_load() -> int:
    """Create or update the demo proof items; returns how many there are."""
    from tongban.certificates.models import ProofItem
    from tongban.certificates.services.proofs import proof_item_upsert

    for entry in _data("proofs.yaml")["proofs"]:
        proof_item_upsert(
            code=entry["code"],
            name=entry["name"],
            legal_basis=entry["basis"],
            requesting_unit=entry["requesting"],
            issuing_unit=entry["issuing"],
            status=entry["status"],
            guide=entry.get("guide", ""),
            replacement=entry.get("replacement", ""),
            printable_kind=entry.get("print", ""),
        )
    return ProofItem.objects.count()
