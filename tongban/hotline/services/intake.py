"""Registration (登记) of a work order from any channel, attachments, and what
the caller adds while it is open."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from tongban.cases.services.uploads import detect_type, safe_file_name
from tongban.core import clock, events
from tongban.core import errors as core_errors
from tongban.core.audit import audit_record
from tongban.core.calendar import get_calendar
from tongban.core.counters import counter_next
from tongban.core.crypto import encrypt, search_token
from tongban.core.errors import DomainError
from tongban.core.masking import mask_phone
from tongban.hotline import deadlines, errors, text
from tongban.hotline.models import (
    Category,
    Channel,
    Emergency,
    Kind,
    OrderNumberSequence,
    OrderStatus,
    Urgency,
    WorkOrder,
    WorkOrderAttachment,
)
from tongban.hotline.services._common import (
    PHONE_CONTEXT,
    actor_label,
    dispatch_limit,
    history,
    notify_caller,
    provisional_year_of,
    transition,
)
from tongban.org.models import Region

MAX_CONTENT = 5000
MAX_ATTACHMENTS = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class AttachmentInput:
    file_name: str
    content_type: str  # what the sender says it is
    content: bytes


@dataclass
class OrderInput:
    channel: str
    kind: str
    content: str
    region_code: str
    title: str = ""
    urgency: str = Urgency.NORMAL
    caller_name: str = ""
    caller_phone: str = ""
    anonymous: bool = False
    caller_company: str = ""
    subject_name: str = ""
    address: str = ""
    latitude: Any = None
    longitude: Any = None
    category_code: str = ""
    emergency: str = ""
    attachments: list[AttachmentInput] = field(default_factory=list)


def _choice(value: str, choices: Any, field_name: str, label: str) -> str:
    if value not in choices.values:
        raise DomainError(
            core_errors.VALIDATION_FAILED,
            f"{label}不在允许的取值范围内：{'、'.join(choices.labels)}。",
            fields=[{"field": field_name, "code": "enum", "message": f"{label}无效"}],
        )
    return value


def _coordinate(value: Any, *, low: int, high: int, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or not low <= number <= high:
        raise DomainError(
            errors.LOCATION_INVALID,
            f"{'纬度' if name == 'latitude' else '经度'}须为 {low} 到 {high} 之间的数。",
            fields=[{"field": f"location.{name}", "code": "out_of_range", "message": "坐标无效"}],
        )
    return number.quantize(Decimal("0.000001"))


def region_for_order(code: str) -> Region:
    """The region of the order's place: one of the region tree, or refused."""
    code = (code or "").strip()
    region = Region.objects.filter(code=code).first() if code.isdigit() else None
    if region is None:
        raise DomainError(
            errors.LOCATION_INVALID,
            f"诉求地点的行政区划“{code[:20]}”不在区划库中。",
            fields=[{"field": "location.region_code", "code": "unknown", "message": "区划不存在"}],
        )
    return region


def category_leaf(code: str, *, field_name: str = "category_code") -> Category:
    category = Category.objects.filter(code=(code or "").strip()[:20], active=True).first()
    if category is None or category.children.filter(active=True).exists():
        raise DomainError(
            errors.CATEGORY_INVALID,
            f"诉求分类“{(code or '')[:20]}”不存在或不是末级分类。",
            fields=[{"field": field_name, "code": "unknown", "message": "分类无效"}],
        )
    return category


def attachment_checked(item: AttachmentInput, index: int) -> tuple[str, str, bytes]:
    """(content type, safe name, bytes): the type from the content, and it must
    be what the sender said it is ("an attachment that is not what it says")."""
    where = f"附件{index + 1}"
    if len(item.content) > ATTACHMENT_MAX_BYTES:
        raise DomainError(errors.ATTACHMENT_INVALID, f"{where}：文件超过 10 MB。")
    try:
        detected = detect_type(item.content, where)
    except DomainError as exc:
        raise DomainError(
            errors.ATTACHMENT_INVALID,
            exc.detail,
            fields=[{"field": f"attachments[{index}]", "code": "type", "message": exc.detail}],
        ) from None
    said = (item.content_type or "").split(";")[0].strip().lower()
    if said == "image/jpg":
        said = "image/jpeg"
    if said and said != detected:
        raise DomainError(
            errors.ATTACHMENT_INVALID,
            f"{where}：文件内容是 {detected}，与声明的类型 {said[:60]} 不符。",
            fields=[{"field": f"attachments[{index}]", "code": "mismatch", "message": "类型不符"}],
        )
    name = safe_file_name(item.file_name, content_type=detected, fallback=f"附件{index + 1}")
    return detected, name, item.content


def decode_base64(value: str, index: int) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(
            errors.ATTACHMENT_INVALID,
            f"附件{index + 1}：内容须为 base64 编码。",
            fields=[{"field": f"attachments[{index}].content", "code": "base64", "message": ""}],
        ) from None


def _store_attachments(
    order: WorkOrder, checked: list[tuple[str, str, bytes]], now: dt.datetime
) -> None:
    for content_type, name, content in checked:
        digest = hashlib.sha256(content).hexdigest()
        attachment = WorkOrderAttachment(
            order=order,
            file_name=name,
            content_type=content_type,
            size=len(content),
            sha256=digest,
            added_at=now,
        )
        attachment.file.save(f"{order.order_no}-{digest[:12]}{name[-4:]}", ContentFile(content))


def _order_no(region: Region, day: dt.date) -> str:
    city = region.code[:4] + "00"
    number = counter_next(OrderNumberSequence, key={"region_code": city, "day": day})
    return f"{city}{day:%Y%m%d}{number:06d}"


def validated(data: OrderInput) -> dict[str, Any]:
    """Every field checked, before anything is written; the model's values."""
    channel = _choice(data.channel, Channel, "channel", "渠道")
    kind = _choice(data.kind, Kind, "kind", "诉求类型")
    urgency = _choice(data.urgency or Urgency.NORMAL, Urgency, "urgency", "紧急程度")
    emergency = data.emergency or ""
    if emergency:
        _choice(emergency, Emergency, "emergency", "紧急警情类别")
    content = text.clean_text(
        data.content, field="content", label="诉求内容", max_length=MAX_CONTENT, required=True
    )
    title = text.clean_text(data.title, field="title", label="标题", max_length=100)
    title = title or text.one_line(content)[:30]
    phone = (data.caller_phone or "").strip()
    if phone:
        phone = text.normalize_phone(phone)
    elif not data.anonymous:
        raise DomainError(
            errors.CALLER_INVALID,
            "请填写联系电话（来电人要求匿名的，请勾选匿名）。",
            fields=[{"field": "caller.phone", "code": "missing", "message": "缺少联系电话"}],
        )
    name = text.clean_text(data.caller_name, field="caller.name", label="姓名", max_length=60)
    region = region_for_order(data.region_code)
    address = text.clean_text(data.address, field="location.address", label="地址", max_length=300)
    latitude = _coordinate(data.latitude, low=-90, high=90, name="latitude")
    longitude = _coordinate(data.longitude, low=-180, high=180, name="longitude")
    if (latitude is None) != (longitude is None):
        raise DomainError(errors.LOCATION_INVALID, "经纬度须同时填写。")
    category = category_leaf(data.category_code) if data.category_code else None
    if len(data.attachments) > MAX_ATTACHMENTS:
        raise DomainError(errors.ATTACHMENT_INVALID, f"附件最多 {MAX_ATTACHMENTS} 个。")
    checked = [attachment_checked(a, i) for i, a in enumerate(data.attachments)]
    return {
        "channel": channel,
        "kind": kind,
        "urgency": urgency,
        "emergency": emergency,
        "title": title,
        "content": content,
        "phone": phone,
        "caller_name": "" if data.anonymous else name,
        "caller_anonymous": bool(data.anonymous),
        "caller_company": text.clean_text(
            data.caller_company, field="caller.company", label="企业名称", max_length=200
        ),
        "subject_name": text.clean_text(
            data.subject_name, field="subject_name", label="被反映对象", max_length=200
        ),
        "region": region,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "category": category,
        "attachments": checked,
    }


def work_order_register(
    *,
    data: OrderInput,
    actor: Any,
    caller_user: Any = None,
    open311: bool = False,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """登记: validate everything, store the order with its dispatch due time and
    the routing suggestion, history, audit, an SMS with the order number.

    An emergency (110/119/120/122) is handed over at once, not dispatched."""
    from tongban.hotline.routing import suggest_for_words

    values = validated(data)
    moment = now or clock.now()
    phone = values.pop("phone")
    checked = values.pop("attachments")
    region: Region = values["region"]
    # Segmented once: for the suggestion and for the stored token column.
    words = text.words(f"{values['title']} {values['content']}")
    suggestion = suggest_for_words(words, region_path=region.path)
    cal = get_calendar()
    with transaction.atomic():
        order = WorkOrder(
            **values,
            order_no=_order_no(region, deadlines.local_date(moment)),
            status=OrderStatus.REGISTERED,
            caller_phone_enc=encrypt(phone, context=PHONE_CONTEXT) if phone else "",
            caller_phone_token=search_token(phone, context=PHONE_CONTEXT) if phone else "",
            caller_phone_masked=mask_phone(phone) if phone else "",
            caller_user=caller_user if getattr(caller_user, "pk", None) else None,
            content_tokens=" ".join(words)[:20000],
            region_path=region.path,
            address_key=text.address_key(values["address"]),
            suggested_category=suggestion.category,
            suggested_department=suggestion.department,
            registered_at=moment,
            open311_token=secrets.token_hex(16) if open311 else "",
            created_at=moment,
            updated_at=moment,
        )
        order.dispatch_due_at = deadlines.due_at(moment, dispatch_limit(order, order.category), cal)
        order.provisional_year = provisional_year_of(order, cal)
        order.save(force_insert=True)
        _store_attachments(order, checked, moment)
        history(
            order,
            action="register",
            actor=actor,
            now=moment,
            to=order.status,
            details={
                "channel": order.channel,
                "kind": order.kind,
                "suggested_category": suggestion.category.code if suggestion.category else None,
                "suggested_department": suggestion.department_id,
                "attachments": len(checked),
            },
        )
        notify_caller(order, "register", now=moment)
        events.emit("hotline.register", {"order_no": order.order_no}, now=moment)
        audit_record(
            actor=actor_label(actor),
            action="hotline.register",
            object_type="hotline.WorkOrder",
            object_id=order.order_no,
            details={"channel": order.channel, "kind": order.kind, "region": region.code},
            now=moment,
        )
    if order.emergency:
        from tongban.hotline.services.transitions import work_order_hand_over

        order = work_order_hand_over(
            order_id=order.pk, actor=actor, service=order.emergency, now=moment, role_checked=False
        )
    return order


def work_order_add_info(
    *,
    order_id: int,
    actor: Any,
    info: str,
    attachments: list[AttachmentInput] | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """补充诉求: the caller adds information (and files) to an open order."""
    body = text.clean_text(info, field="info", label="补充内容", max_length=2000, required=False)
    if not body:
        raise DomainError(
            errors.CONTENT_REQUIRED,
            "补充内容不能为空。",
            fields=[{"field": "info", "code": "missing", "message": "补充内容不能为空"}],
        )
    items = attachments or []
    if len(items) > MAX_ATTACHMENTS:
        raise DomainError(errors.ATTACHMENT_INVALID, f"附件最多 {MAX_ATTACHMENTS} 个。")
    checked = [attachment_checked(a, i) for i, a in enumerate(items)]

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        if order.attachments.count() + len(checked) > MAX_ATTACHMENTS * 2:
            raise DomainError(errors.ATTACHMENT_INVALID, "该工单的附件已达上限。")
        _store_attachments(order, checked, moment)
        order.content_tokens = text.token_text([order.content_tokens, body])
        return {"attachments": len(checked)}

    return transition(
        order_id=order_id,
        action="add_info",
        actor=actor,
        expected_version=None,
        now=now,
        reason=body,
        mutate=mutate,
    )
