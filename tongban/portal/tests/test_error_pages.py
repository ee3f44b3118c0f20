"""What `make run` shows a user when a page is missing or forbidden (issue 20, item 1).

`make run` serves with Django's debug pages off, whatever the shell says, and
the Chinese 404/403/500 pages of ``templates/``; `make dev` is the same with
debug pages, for developers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path

from tongban.portal.tests.test_case_pages import seed_cases, submit_case

DEBUG_MARKERS = ("DEBUG = True", "URLconf", "Traceback", "Using the URLconf")


def _make_dry_run(target: str) -> str:
    result = subprocess.run(
        ["make", "-n", "-W", "requirements/base.txt", target],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_DEBUG": "1"},  # a developer's shell
        check=True,
    )
    return result.stdout


def _serve_line(output: str) -> str:
    return next(line for line in output.splitlines() if "tongban serve" in line)


def test_make_run_serves_without_debug_pages_even_from_a_debugging_shell():
    assert _serve_line(_make_dry_run("run")).startswith("DJANGO_DEBUG=0 ")


def test_make_dev_serves_with_debug_pages():
    assert _serve_line(_make_dry_run("dev")).startswith("DJANGO_DEBUG=1 ")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_served_platform_answers_unknown_pages_with_the_chinese_404(tmp_path: Path):
    """The real thing: `tongban serve` (gunicorn) on the embedded settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_DEBUG", "DATABASE_URL", "TONGBAN_TEST_DATABASE_URL")
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", TONGBAN_VAR_DIR=str(tmp_path))
    tongban = [sys.executable, "-m", "tongban.cli"]
    subprocess.run(
        [*tongban, "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
        timeout=300,
    )
    port = _free_port()
    server = subprocess.Popen(
        [*tongban, "serve", "--port", str(port), "--workers", "1", "--no-worker", "--no-scheduler"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base + "/nope/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        for url in ("/nope/", "/services/XYZ/"):
            status, body = _get(base + url)
            assert status == 404, url
            assert "页面不存在" in body and "<title>页面不存在 · 通办政务服务</title>" in body
            assert not any(marker in body for marker in DEBUG_MARKERS), url
    finally:
        server.terminate()
        server.wait(timeout=20)


def _boom(request):  # a view that fails, for the 500 page
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
def test_another_persons_case_is_the_chinese_404_and_the_workbench_the_chinese_403(
    client: Client,
):
    seed = seed_cases()
    theirs = submit_case(seed, user=seed.other)
    client.force_login(seed.citizen)
    response = client.get(f"/my/cases/{theirs.case_no}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and not any(m in body for m in DEBUG_MARKERS)
    response = client.get("/workbench/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权访问" in body and "工作台仅对政务服务工作人员开放" in body


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_failing_page_shows_the_chinese_500_without_details():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统繁忙" in body and "boom" not in body
