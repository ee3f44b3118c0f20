"""Issue 9, item 6: the embedded default runs without debug pages, and still
serves its static files (WhiteNoise, after the collectstatic of ``tongban serve``)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from django.conf import settings

SCRIPT = textwrap.dedent(
    """
    import django
    from django.conf import settings
    django.setup()
    from django.core.management import call_command
    from django.test import Client

    assert settings.DEBUG is False, "DEBUG is on by default"
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    assets = ("css/tongban.css", "js/tongban.js", "ninja/swagger-ui.css")
    for path in ["/static/" + asset for asset in assets]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    page = b"".join(missing.streaming_content) if missing.streaming else missing.content
    assert "页面不存在".encode() in page and b"Traceback" not in page
    print("ok")
    """
)


def run_local(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TONGBAN_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.local", TONGBAN_VAR_DIR=str(tmp_path), **env
    )
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_local_settings_have_debug_off_and_serve_static_files(tmp_path):
    result = run_local(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_debug_is_on_only_when_asked_for(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; "
            "django.setup(); print(settings.DEBUG)",
        ],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "TONGBAN_VAR_DIR": str(tmp_path),
            "DJANGO_DEBUG": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "True", result.stderr
