"""The 法人库 as identity sees it: an extension point the registries fill.

Every business authorization is checked against the 法人库 (市场主体登记信息,
issue 14 item 2): the 统一社会信用代码 registered, the entity 存续, and the
registered 法定代表人 the person who acts as such. Identity cannot read the
base registries (the ``sharing`` app builds on identity), so the registry
answers through a look-up that ``SharingConfig.ready`` registers::

    from tongban.identity.registry import registry_lookup_register
    registry_lookup_register(business_registry_entry)

with ``business_registry_entry(credit_code: str) -> RegistryEntry | None``.
Without a look-up every check answers ``legal_entity_registry_unavailable``
(503): an authorization is never granted on a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tongban.core.errors import DomainError
from tongban.identity import errors


@dataclass(frozen=True)
class RegistryEntry:
    """One market entity as its registration authority records it."""

    credit_code: str
    name: str
    status: str  # the registry's code: in_business, revoked, cancelled, moved_out
    status_label: str  # 存续（在营）, 吊销, 注销, 迁出
    in_business: bool  # 存续（在营、开业、在册）
    representative_name: str
    # The keyed search token of the representative's ID number
    # (``Person.id_number_token``); "" when the registry holds no number.
    representative_token: str


RegistryLookup = Callable[[str], RegistryEntry | None]
_lookups: list[RegistryLookup] = []


def registry_lookup_register(lookup: RegistryLookup) -> None:
    """Install the 法人库 look-up (the last one registered wins)."""
    _lookups.clear()
    _lookups.append(lookup)


def registry_lookup_unregister() -> None:
    _lookups.clear()


def registry_entry(credit_code: str) -> RegistryEntry | None:
    """The 法人库's entry for a (validated) credit code, or None if it has none."""
    if not _lookups:
        raise DomainError(errors.LEGAL_ENTITY_REGISTRY_UNAVAILABLE, "法人库暂不可用，请稍后再试。")
    return _lookups[-1](credit_code)
