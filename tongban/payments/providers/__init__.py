"""Payment providers behind one interface (``base.Provider``).

A real provider (a bank's 非税收缴 gateway, a wallet) is one adapter module
implementing ``Provider`` and one line in ``REGISTRY``; the simulated
provider (``simulated``) behaves like one and is what the demo and tests use.
"""

from __future__ import annotations

from tongban.core.errors import DomainError
from tongban.payments import errors
from tongban.payments.providers.base import Provider
from tongban.payments.providers.simulated import SimulatedProvider

REGISTRY: dict[str, Provider] = {SimulatedProvider.code: SimulatedProvider()}


def get_provider(code: str) -> Provider:
    provider = REGISTRY.get(code)
    if provider is None:
        raise DomainError(errors.PROVIDER_UNKNOWN, f"不支持的支付渠道：{code}")
    return provider


def choices() -> list[tuple[str, str]]:
    return [(p.code, p.name) for p in REGISTRY.values()]
