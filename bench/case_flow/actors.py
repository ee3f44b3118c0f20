"""The accounts and the item the run applies for (bench citizens, 南京 clerk and reviewer)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 110
FLOW_COMMANDS = ("submit", "accept", "decide", "deliver", "conclude", "my_cases", "queue")
BASE = "/api/v1/cases"

# --- accounts and the item the run applies for ----------------------------------------------


@dataclass
class Actors:
    citizens: list[str]  # bearer tokens
    clerk: str
    reviewer: str
    item_code: str
    form: dict[str, Any]
    materials: list[dict[str, str]]
    extra: dict[str, Any] = field(default_factory=dict)


def prepare_actors(citizen_count: int) -> Actors:
    """Bench citizens (accounts on seeded persons), tokens for them and for the
    demo 南京 clerk and reviewer, and a promised-time item of 南京市市场监督管理局."""
    from django.db.models import Count

    from tongban.cases.models import Case
    from tongban.catalog.content import FieldType, GuideContent, MaterialSource
    from tongban.catalog.models import ServiceItem
    from tongban.catalog.situations import materials_for
    from tongban.core.crypto import decrypt
    from tongban.core.identifiers import generate_credit_code
    from tongban.identity.models import Person, User
    from tongban.identity.selectors import ID_NUMBER_CONTEXT
    from tongban.identity.services import token_create

    item = next(
        i
        for i in ServiceItem.objects.filter(
            status="active", region_id="320100", department__name__endswith="市场监督管理局"
        )
        .select_related("current_version")
        .order_by("implementation_code")
        if GuideContent.model_validate(i.current_version.content).handling.value == "promised"
    )
    guide = GuideContent.model_validate(item.current_version.content)
    # The busiest applicants get accounts: their "my cases" has the most rows.
    persons = list(
        Case.objects.values_list("applicant_person_id", flat=True)
        .annotate(n=Count("id"))
        .filter(applicant_person_id__isnull=False)
        .order_by("-n")[:citizen_count]
    )
    tokens = []
    for n, pk in enumerate(persons):
        user, _ = User.objects.get_or_create(
            username=f"bench_citizen{n}",
            defaults={
                "kind": "citizen",
                "person_id": pk,
                "display_name": "测试",
                "real_name_level": 1,
            },
        )
        tokens.append(token_create(user=user, name="bench")[1])
        _in_population_registry(Person.objects.get(pk=pk))
    clerk = token_create(user=User.objects.get(username="nj_clerk"), name="bench")[1]
    reviewer = token_create(user=User.objects.get(username="nj_reviewer"), name="bench")[1]
    someone = Person.objects.get(pk=persons[0])
    id_number = decrypt(someone.id_number_enc, context=ID_NUMBER_CONTEXT)
    values = {
        FieldType.ID_NUMBER: id_number,
        FieldType.CREDIT_CODE: generate_credit_code("9132010270000001"),
        FieldType.PHONE: "13812345678",
        FieldType.NUMBER: "100",
        FieldType.DATE: "2026-01-05",
        FieldType.CHECKBOX: True,
    }
    form = {}
    for spec in guide.form:
        if not spec.required:
            continue
        if spec.type == FieldType.SELECT:
            form[spec.code] = spec.options[0]
        else:
            form[spec.code] = values.get(spec.type, "南京市玄武区中山路 1 号")
    materials = [
        {
            "code": m.code,
            "kind": "upload",
            "file_name": f"{m.name}.pdf",
            "file_base64": base64.b64encode(PDF).decode(),
        }
        for m in materials_for(guide, None)
        if m.source == MaterialSource.APPLICANT and not m.exempt
    ]
    return Actors(tokens, clerk, reviewer, item.implementation_code, form, materials)


def _in_population_registry(person: Any) -> None:
    """The bench applicant in the population registry, so that the identity card
    the item holds as government data is found (两个免于提交) and the case can be
    accepted, as for a real resident."""
    from tongban.core import clock
    from tongban.core.crypto import decrypt, encrypt
    from tongban.identity.selectors import ID_NUMBER_CONTEXT
    from tongban.sharing.models import PopulationRecord
    from tongban.sharing.registries import POPULATION_ID_CONTEXT
    from tongban.sharing.subjects import person_token

    number = decrypt(person.id_number_enc, context=ID_NUMBER_CONTEXT)
    PopulationRecord.objects.get_or_create(
        id_number_token=person_token(number),
        defaults={
            "id_number_enc": encrypt(number, context=POPULATION_ID_CONTEXT),
            "id_number_masked": person.id_number_masked,
            "name": person.name,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "updated_at": clock.now(),
        },
    )
