"""窗口收件 step 1 as the session keeps it: who applies at the window.

The clerk finds or registers the applicant once (``intake_views``); every
counter that takes an application next — a single item's, or a bundle's
(``bundle_views``) — reads the same applicant from here rather than from
another view module's internals.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from tongban.identity.models import LegalEntity, Person

# The person at the window (the applicant, or with SESSION_ENTITY the applying
# entity's 经办人) and the entity, if any.
SESSION_PERSON = "intake_person_id"
SESSION_ENTITY = "intake_entity_id"


@dataclass(frozen=True)
class Applicant:
    """Who applies at the window: a person, or a legal entity through its 经办人."""

    person: Person | None = None
    entity: LegalEntity | None = None
    agent: Person | None = None


def intake_applicant(request: HttpRequest) -> Applicant | None:
    """The applicant this clerk found or registered in step 1 of this session
    (persons and legal entities are not region-scoped; the ids came from the
    clerk's own lookup); None when step 1 must be done (again)."""
    person_pk = request.session.get(SESSION_PERSON)
    entity_pk = request.session.get(SESSION_ENTITY)
    person = Person.objects.filter(pk=person_pk).first() if isinstance(person_pk, int) else None
    if person is None:
        return None
    if entity_pk is None:
        return Applicant(person=person)
    entity = (
        LegalEntity.objects.select_related("legal_representative").filter(pk=entity_pk).first()
        if isinstance(entity_pk, int)
        else None
    )
    # Without its entity the agent is no applicant: step 1 is asked again.
    return Applicant(entity=entity, agent=person) if entity is not None else None
