"""The client's address, behind trusted reverse proxies only (issue 9, item 2).

``X-Forwarded-For`` is written by whoever sends the request, so it is honoured
only when the peer (``REMOTE_ADDR``) is one of ``TONGBAN_TRUSTED_PROXIES``
(addresses or networks, empty by default). The list is then read from the
right: each hop a trusted proxy added is skipped, and the first address not a
trusted proxy is the client. Anything a client put further left is ignored.

:class:`ClientAddressMiddleware` runs first and puts that address in
``REMOTE_ADDR`` (the peer stays in ``META["TONGBAN_PEER_ADDR"]``), so every
rate limit, audit row and idempotency owner sees the client, not the proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from functools import lru_cache

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PEER_KEY = "TONGBAN_PEER_ADDR"


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(
            ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"TONGBAN_TRUSTED_PROXIES: {exc}") from None


def check_trusted_proxies(**_: object) -> list[checks.CheckMessage]:
    """``manage.py check`` (and every start) names a malformed proxy entry."""
    try:
        _networks(tuple(settings.TONGBAN_TRUSTED_PROXIES))
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="tongban.E001")]
    return []


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in networks)


def client_address_from(*, peer: str, forwarded_for: str, trusted: Sequence[str]) -> str:
    """The client's address given the peer, its X-Forwarded-For and the trusted proxies."""
    networks = _networks(tuple(trusted))
    if not networks or not forwarded_for or not _trusted(peer, networks):
        return peer
    client = peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        parsed = _parse(hop)
        if parsed is None:
            break  # garbage: keep the last hop a trusted proxy vouched for
        client = str(parsed)
        if not any(parsed in network for network in networks):
            break
    return client


def client_address(request: HttpRequest) -> str:
    """The client's address of ``request`` ("" when unknown)."""
    return str(request.META.get("REMOTE_ADDR") or "")


class ClientAddressMiddleware:
    """Put the client's address (see the module docstring) in ``REMOTE_ADDR``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = str(request.META.get("REMOTE_ADDR") or "")
        request.META[PEER_KEY] = peer
        request.META["REMOTE_ADDR"] = client_address_from(
            peer=peer,
            forwarded_for=str(request.META.get("HTTP_X_FORWARDED_FOR") or ""),
            trusted=settings.TONGBAN_TRUSTED_PROXIES,
        )
        return self.get_response(request)
