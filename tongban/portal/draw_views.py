"""The public page of a random draw (no login): the commitment published
before, then the seed, the candidates and the result, and how to re-run it."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.core.draws import candidates_url, draw_checked, draw_document
from tongban.core.models import DrawRecord, DrawState

_SHOWN = 200  # candidates listed on the page; the whole list is in the JSON


@require_GET
def draw_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    record = DrawRecord.objects.filter(public_id=public_id).first()
    if record is None:
        raise Http404("没有这次随机抽取")
    doc = draw_document(record)
    drawn = record.state == DrawState.DRAWN
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(doc, ensure_ascii=False, indent=1), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="draw-{record.public_id}.json"'
        return response
    groups: list[tuple[str, list[str], list[str], int]] = []
    verified = False
    if drawn:
        result: Any = record.result
        # Checked once per published document, then from the cache (core.draws).
        counts, preview, verified = draw_checked(record, _SHOWN)
        for label, count in counts:
            if label or isinstance(preview, dict):
                groups.append((label, result[label], preview[label], count))
            else:
                groups.append(("", result, preview, count))
    return render(
        request,
        "portal/draws/detail.html",
        {
            "record": record,
            "drawn": drawn,
            "verified": verified,
            "groups": groups,
            "candidates_url": candidates_url(record) if record.candidates_sha256 else "",
            "shown": _SHOWN,
        },
    )
