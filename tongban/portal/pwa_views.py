"""掌上办 (R-PL-3): the Web App Manifest, so the portal installs to a phone's home screen."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

THEME_COLOR = "#0b4f8a"


@cache_control(public=True, max_age=86400)
def manifest(request: HttpRequest) -> HttpResponse:
    document = {
        "name": "通办 · 政务服务",
        "short_name": "通办",
        "description": "一网通办：办事指南、网上申报、办件查询、预约取号、12345 热线",
        "lang": "zh-Hans",
        "dir": "ltr",
        "start_url": reverse("portal:home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": "#ffffff",
        "icons": [
            {"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
        "shortcuts": [
            {"name": "我的办件", "url": reverse("portal:my_cases")},
            {"name": "我的预约", "url": reverse("portal:my_appointments")},
            {"name": "办事大厅", "url": reverse("portal:halls")},
        ],
    }
    return HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type="application/manifest+json"
    )
