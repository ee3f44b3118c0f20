"""Open311 GeoReport v2 at /open311/v2/ (issue 13 #6; DESIGN §6).

Services are the leaves of the category tree (``service_code`` = category
code); a request is a work order registered on channel ``app`` and then
handled like every other order. Writing needs ``api_key``: a Tongban API token
(identity). Reads are public and carry no personal data: the description is
the order's title, the notes its status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.hotline import selectors, services
from tongban.hotline.models import Category, Kind, OrderStatus, WorkOrder
from tongban.hotline.open311.formats import FORMATS, error, render, w3c
from tongban.hotline.services.intake import OrderInput
from tongban.identity.models import AccountKind
from tongban.identity.services import token_authenticate
from tongban.org.models import Region

CLOSED = (
    OrderStatus.ANSWERED,
    OrderStatus.HANDED_OVER,
    OrderStatus.REPLIED,
    OrderStatus.REVISITED,
    OrderStatus.ARCHIVED,
    OrderStatus.MERGED,
)
DEFAULT_DAYS = 90
MAX_RESULTS = 1000


def _format(fmt: str) -> str | None:
    return fmt if fmt in FORMATS else None


def _jurisdiction(request: HttpRequest) -> Region | None:
    code = (request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or "").strip()
    code = code or settings.TONGBAN_HOTLINE_OPEN311_JURISDICTION
    return Region.objects.filter(code=code[:12]).first() if code.isdigit() else None


def _service(category: Category, group: str) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or f"{group}：{category.name}",
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(filter(None, [group, category.name])),
        "group": group,
    }


def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return error(_format(fmt) or "json", 405, "Method not allowed")
    if _format(fmt) is None:
        return error("json", 404, f"Unknown format: {fmt[:10]}")
    if _jurisdiction(request) is None:
        return error(fmt, 404, "jurisdiction_id not found")
    tree = selectors.category_tree()
    names = {c.pk: c.name for c in tree}
    leaves = selectors.category_leaves()
    return render(fmt, "services", [_service(c, names.get(c.parent_id or 0, "")) for c in leaves])


def _attributes() -> list[dict[str, Any]]:
    return [
        {
            "variable": True,
            "code": "kind",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "诉求类型，默认为投诉",
            "order": 1,
            "description": "诉求类型",
            "values": [{"key": value, "name": label} for value, label in Kind.choices],
        },
        {
            "variable": True,
            "code": "subject_name",
            "datatype": "string",
            "required": False,
            "datatype_description": "不超过 200 个字符",
            "order": 2,
            "description": "被反映的单位或场所",
            "values": [],
        },
    ]


def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return error(_format(fmt) or "json", 405, "Method not allowed")
    if _format(fmt) is None:
        return error("json", 404, f"Unknown format: {fmt[:10]}")
    leaves = {c.code: c for c in selectors.category_leaves()}
    if service_code not in leaves:
        return error(fmt, 404, f"service_code {service_code[:20]} not found")
    return render(
        fmt, "service_definition", {"service_code": service_code, "attributes": _attributes()}
    )


def _request_out(order: WorkOrder) -> dict[str, Any]:
    closed = order.status in CLOSED
    expected = order.handle_due_at or order.dispatch_due_at
    return {
        "service_request_id": order.order_no,
        "status": "closed" if closed else "open",
        "status_notes": OrderStatus(order.status).label,
        "service_name": order.category.name if order.category else "",
        "service_code": order.category.code if order.category else "",
        "description": order.title,
        "agency_responsible": order.department.name if order.department else "",
        "service_notice": "",
        "requested_datetime": w3c(order.registered_at),
        "updated_datetime": w3c(order.updated_at),
        "expected_datetime": None if closed else w3c(expected),
        "address": order.address,
        "address_id": "",
        "zipcode": "",
        "lat": float(order.latitude) if order.latitude is not None else None,
        "long": float(order.longitude) if order.longitude is not None else None,
        "media_url": "",
    }


def _number(value: str, name: str) -> float | None:
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a number")
    return number


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    try:
        user = token_authenticate((data.get("api_key") or "").strip())
    except DomainError:
        user = None
    if user is None:
        return error(fmt, 403, "api_key is missing or invalid")
    code = (data.get("service_code") or "").strip()
    if not code:
        return error(fmt, 400, "service_code is required")
    if code not in {c.code for c in selectors.category_leaves()}:
        return error(fmt, 404, f"service_code {code[:20]} not found")
    try:
        lat = _number((data.get("lat") or "").strip(), "lat")
        lon = _number((data.get("long") or "").strip(), "long")
    except ValueError as exc:
        return error(fmt, 400, str(exc))
    address = (data.get("address_string") or "").strip()
    if (lat is None or lon is None) and not address:
        return error(fmt, 400, "lat and long, or address_string, are required")
    region = _jurisdiction(request)
    if region is None:
        return error(fmt, 400, "jurisdiction_id not found")
    description = (data.get("description") or "").strip()
    if not description:
        return error(fmt, 400, "description is required")
    kind = (data.get("attribute[kind]") or Kind.COMPLAINT).strip()
    name = " ".join(filter(None, [data.get("last_name", ""), data.get("first_name", "")])).strip()
    phone = (data.get("phone") or "").strip()
    caller = user if user.kind in (AccountKind.CITIZEN, AccountKind.BUSINESS) else None
    try:
        order = services.work_order_register(
            data=OrderInput(
                channel="app",
                kind=kind,
                content=description,
                region_code=region.code,
                caller_name=name[:60],
                caller_phone=phone,
                anonymous=not phone,
                subject_name=(data.get("attribute[subject_name]") or "")[:200],
                address=address[:300],
                latitude=lat,
                longitude=lon,
                category_code=code,
            ),
            actor=user,
            caller_user=caller,
            open311=True,
        )
    except DomainError as exc:
        return error(fmt, 400, exc.detail)
    body = [
        {
            "service_request_id": order.order_no,
            "token": order.open311_token,
            "service_notice": "",
            "account_id": data.get("account_id", "")[:60],
        }
    ]
    return render(fmt, "service_requests", body, status=201)


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    region = _jurisdiction(request)
    if region is None:
        return error(fmt, 404, "jurisdiction_id not found")
    qs: QuerySet[WorkOrder] = WorkOrder.objects.filter(region_path__startswith=region.path)
    ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(order_no__in=ids[:MAX_RESULTS])
    else:
        start = parse_datetime(params.get("start_date", "")) if params.get("start_date") else None
        end = parse_datetime(params.get("end_date", "")) if params.get("end_date") else None
        if (params.get("start_date") and start is None) or (params.get("end_date") and end is None):
            return error(fmt, 400, "start_date and end_date must be W3C datetimes")
        if (start and start.tzinfo is None) or (end and end.tzinfo is None):
            return error(fmt, 400, "start_date and end_date need a time zone offset")
        end = end or clock.now()
        start = start or end - dt.timedelta(days=DEFAULT_DAYS)
        if start > end:
            return error(fmt, 400, "start_date is after end_date")
        qs = qs.filter(registered_at__gte=start, registered_at__lte=end)
        codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes[:100])
        wanted = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
        if wanted - {"open", "closed"}:
            return error(fmt, 400, "status must be open or closed")
        if wanted == {"open"}:
            qs = qs.exclude(status__in=CLOSED)
        elif wanted == {"closed"}:
            qs = qs.filter(status__in=CLOSED)
    rows = qs.select_related("category", "department").order_by("-registered_at", "-id")
    return render(fmt, "service_requests", [_request_out(o) for o in rows[:MAX_RESULTS]])


@csrf_exempt
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if _format(fmt) is None:
        return error("json", 404, f"Unknown format: {fmt[:10]}")
    if request.method == "POST":
        return _create(request, fmt)
    if request.method == "GET":
        return _search(request, fmt)
    return error(fmt, 405, "Method not allowed")


def request_view(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    if _format(fmt) is None:
        return error("json", 404, f"Unknown format: {fmt[:10]}")
    if request.method != "GET":
        return error(fmt, 405, "Method not allowed")
    order = (
        WorkOrder.objects.filter(order_no=request_id[:24])
        .select_related("category", "department")
        .first()
    )
    if order is None:
        return error(fmt, 404, f"service_request_id {request_id[:24]} not found")
    return render(fmt, "service_requests", [_request_out(order)])


def token_view(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    if _format(fmt) is None:
        return error("json", 404, f"Unknown format: {fmt[:10]}")
    if request.method != "GET":
        return error(fmt, 405, "Method not allowed")
    order = WorkOrder.objects.filter(open311_token=token[:40]).first() if token else None
    if order is None:
        return error(fmt, 404, "token not found")
    return render(
        fmt,
        "service_requests",
        [{"service_request_id": order.order_no, "token": order.open311_token}],
    )
