"""掌上办: the portal installs to a phone's home screen (Web App Manifest)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def test_every_page_links_the_manifest_which_describes_an_installable_app(client):
    home = client.get("/")
    assert '<link rel="manifest" href="/manifest.webmanifest">' in home.text
    assert '<meta name="theme-color" content="#0b4f8a">' in home.text
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = json.loads(answer.content)
    assert manifest["short_name"] == "通办" and manifest["lang"] == "zh-Hans"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    icon = manifest["icons"][0]
    assert icon["type"] == "image/svg+xml" and icon["sizes"] == "any"
    assert icon["src"].endswith("img/icon.svg")
    for shortcut in manifest["shortcuts"]:
        assert client.get(shortcut["url"]).status_code in (200, 302), shortcut
