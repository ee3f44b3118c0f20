"""Portal pages of data sharing: 公共数据开放 and 谁查询了我的数据.

The open-data catalogue is public. The access log is the data subject's
own: a citizen sees who read her data, a business account the lines about
the entities it may act for (DESIGN §8); nobody else's.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tongban.core.errors import DomainError
from tongban.sharing import selectors
from tongban.sharing.models import AccessLogEntry, CallKind
from tongban.sharing.verification import SERVICES

PAGE_SIZE = 50


def open_data(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:50]
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.open_resource_page(q=q, cursor=cursor, limit=PAGE_SIZE)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("portal:open_data")
    base = {"q": q} if q else {}
    return render(
        request,
        "portal/sharing/open_data.html",
        {
            "resources": page.items,
            "q": q,
            "next_url": "?" + urlencode({**base, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "first_url": "?" + urlencode(base) if cursor else "",
        },
    )


def _what(entry: AccessLogEntry) -> tuple[str, list[str]]:
    """What was read, in words: the service's or resource's name, and the fields'."""
    names = {f.code: f.name for f in entry.resource.fields.all()} if entry.resource else {}
    fields = [names.get(code, code) for code in entry.fields]
    service = SERVICES.get(entry.target)
    if service is not None and entry.kind != CallKind.QUERY:
        return service.name, fields
    return (entry.resource.name if entry.resource else entry.target), fields


@login_required
def my_data_access(request: HttpRequest) -> HttpResponse:
    subjects = selectors.data_subjects_for_user(user=request.user)
    if not subjects:
        raise PermissionDenied("只有实名认证的个人用户和法人用户可以查看数据访问记录。")
    chosen = next((s for s in subjects if s.key == request.GET.get("subject")), subjects[0])
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.access_log_for_subject(subject=chosen, cursor=cursor, limit=PAGE_SIZE)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("portal:my_data_access")
    base = {"subject": chosen.key} if len(subjects) > 1 else {}
    return render(
        request,
        "portal/sharing/my_data_access.html",
        {
            "rows": [(e, *_what(e)) for e in page.items],
            "subjects": subjects,
            "chosen": chosen,
            "next_url": "?" + urlencode({**base, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "first_url": reverse("portal:my_data_access") + ("?" + urlencode(base) if base else "")
            if cursor
            else "",
        },
    )
