"""The reference department client (``examples/department_client.py``) against
the running server: it mirrors its department's cases and materials through
the integration API, records a step with If-Match, and receives verified
webhooks for what happens at the window, without anything typed in twice."""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests
from django.conf import settings

from tongban.cases import services as case_services
from tongban.cases.models import Case, CaseStatus
from tongban.integration.services import webhook_endpoint_add
from tongban.integration.signing import signature_header
from tongban.integration.tests.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLE = Path(settings.BASE_DIR) / "examples" / "department_client.py"


def load_example() -> Any:
    spec = importlib.util.spec_from_file_location("department_client", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def eventually(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def mirror(live_server: Any, tmp_path: Path) -> Iterator[tuple[Any, Any, str, Any]]:
    """The world, the client, its webhook receiver's URL, and the receiver."""
    world = build_world()
    example = load_example()
    client = example.DepartmentClient(
        base_url=live_server.url,
        token=world.tokens[world.system.user.username],
        db_path=str(tmp_path / "mirror.sqlite3"),
    )
    holder: list[Any] = []
    server = make_server("127.0.0.1", 0, lambda e, s: holder[0](e, s), handler_class=_Quiet)
    url = f"http://127.0.0.1:{server.server_port}/hook"
    _, secret = webhook_endpoint_add(system=world.system, url=url)
    receiver = example.WebhookReceiver(client, secret)
    holder.append(receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield world, client, url, receiver
    server.shutdown()
    server.server_close()


def test_the_reference_client_mirrors_its_queue_and_follows_webhooks(mirror):
    world, client, _, receiver = mirror
    first = world.submit(minutes_ago=6)
    second = world.submit(minutes_ago=5)
    world.submit(item=world.ganzhou_item, minutes_ago=4)  # another department's

    # The submissions were pushed; each push made the client fetch the case.
    eventually(lambda: len(client.cases()) == 2)
    assert {c[0] for c in client.cases()} == {first.case_no, second.case_no}
    assert client.materials() == [
        (first.case_no, "application"),
        (first.case_no, "layout"),
        (second.case_no, "application"),
        (second.case_no, "layout"),
    ]

    # The department system accepts the first case through the platform.
    answer = client.act(first.case_no, "accept")
    assert answer.status_code == 200, answer.text
    assert Case.objects.get(pk=first.pk).status == CaseStatus.ACCEPTED
    assert {n: (v, s) for n, v, s in client.cases()}[first.case_no] == (2, "accepted")

    # A clerk accepts the second at the window: the webhook brings it to the mirror.
    case_services.case_accept(case_id=second.pk, actor=world.clerk, expected_version=second.version)
    eventually(lambda: {n: s for n, _, s in client.cases()}[second.case_no] == "accepted")
    events = sorted(a["event"] for a in receiver.accepted)
    assert events.count("case.submit") == 2 and events.count("case.accept") == 2
    assert receiver.refused == []

    # The catch-up from the feed finds nothing new, and nothing was typed twice.
    assert client.sync() == 0
    assert [s for _, _, s in client.cases()] == ["accepted", "accepted"]


def test_the_receiver_refuses_forged_stale_and_replayed_deliveries(mirror):
    _, _, url, receiver = mirror
    body = b'{"event":"case.submit","event_id":"x","data":{}}'
    now = int(time.time())

    def post(secret: str, at: int, delivery: str) -> int:
        headers = {
            "Tongban-Signature": signature_header(secret, at, body),
            "Tongban-Delivery": delivery,
        }
        return requests.post(url, data=body, headers=headers, timeout=10).status_code

    secret = receiver.secret.decode()
    assert post("whsec_forged", now, "9001") == 401
    assert post(secret, now - 3600, "9002") == 401
    assert post(secret, now, "9003") == 204
    assert post(secret, now, "9003") == 401
    assert receiver.refused == ["bad signature", "stale timestamp", "replayed delivery"]
