"""The simulated provider (模拟支付渠道): a bank that behaves like a real one.

It keeps its own ledger (``SimTransaction``, ``SimRefund``), which the platform
only learns about through the same four doors a real gateway offers:

* **callbacks** (异步通知): JSON signed with HMAC-SM3 (GB/T 32905 in an HMAC,
  key ``TONGBAN_PAYMENTS_SIM_SECRET``), hex in the ``X-Sim-Signature`` header;
  each is queued in ``SimCallback`` with a delay and delivered by the
  scheduler (``sim_deliver_due``). :func:`sim_pay` chooses the deliveries:
  at once, late, twice, or never (an empty tuple) — the failure modes of the
  real ones;
* a **status query** that always answers from the ledger;
* **refunds**, idempotent per refund key;
* one **statement file** (对账单) per day: a header ``SIMPAY|day|lines|net fen``
  then ``code|txn|pay-or-refund|fen|time`` per movement of that day (China time).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from tongban.core import clock
from tongban.core.crypto import hmac_sm3_hex
from tongban.core.errors import DomainError
from tongban.payments import errors
from tongban.payments.models import SimCallback, SimRefund, SimStatus, SimTransaction
from tongban.payments.providers.base import Created, ProviderStatus, Refunded, StatementLine

HEADER = "SIMPAY"
SIGNATURE_HEADER = "X-Sim-Signature"


def _key() -> bytes:
    secret = settings.TONGBAN_PAYMENTS_SIM_SECRET or f"sim:{settings.SECRET_KEY}"
    return secret.encode()


def sign(body: bytes) -> str:
    return hmac_sm3_hex(_key(), body)


def _status_of(txn: SimTransaction) -> str:
    return {"waiting": "waiting", "success": "success", "closed": "closed"}[txn.status]


def _as_status(txn: SimTransaction, notify_id: str = "") -> ProviderStatus:
    return ProviderStatus(
        payment_code=txn.payment_code,
        txn_id=txn.txn_id,
        status=_status_of(txn),
        amount_fen=txn.amount_fen,
        paid_at=txn.paid_at,
        notify_id=notify_id,
    )


class SimulatedProvider:
    code = "sim"
    name = "模拟支付（演示）"

    def create(self, *, payment_code: str, amount_fen: int, now: dt.datetime) -> Created:
        with transaction.atomic():
            txn = (
                SimTransaction.objects.select_for_update()
                .filter(payment_code=payment_code, status=SimStatus.WAITING)
                .first()
            )
            if txn is None:
                txn = SimTransaction.objects.create(
                    txn_id=f"SIM{now:%Y%m%d}{secrets.token_hex(6).upper()}",
                    payment_code=payment_code,
                    amount_fen=amount_fen,
                    status=SimStatus.WAITING,
                    created_at=now,
                )
        return Created(txn_id=txn.txn_id, pay_url=f"/payments/sim/{txn.txn_id}/")

    def query(self, *, payment_code: str, txn_id: str) -> ProviderStatus | None:
        txn = SimTransaction.objects.filter(txn_id=txn_id, payment_code=payment_code).first()
        return _as_status(txn) if txn else None

    def verify(self, *, body: bytes, signature: str) -> ProviderStatus:
        expected = sign(body)
        if not signature or not secrets.compare_digest(expected, signature.strip().lower()):
            raise DomainError(errors.SIGNATURE_INVALID, "支付通知签名无效，已拒绝并记录。")
        try:
            data = json.loads(body.decode())
            paid_at = dt.datetime.fromisoformat(data["paid_at"]) if data.get("paid_at") else None
            return ProviderStatus(
                payment_code=str(data["payment_code"]),
                txn_id=str(data["txn_id"]),
                status=str(data["status"]),
                amount_fen=int(data["amount_fen"]),
                paid_at=paid_at,
                notify_id=str(data["notify_id"]),
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise DomainError(errors.NOTIFICATION_MALFORMED, "支付通知报文格式错误。") from None

    def refund(
        self, *, txn_id: str, amount_fen: int, refund_key: str, now: dt.datetime
    ) -> Refunded:
        with transaction.atomic():
            existing = SimRefund.objects.filter(refund_id=refund_key).first()
            if existing:
                return Refunded(refund_id=existing.refund_id)
            txn = SimTransaction.objects.select_for_update().get(txn_id=txn_id)
            if txn.status != SimStatus.SUCCESS or txn.refunded_fen + amount_fen > txn.amount_fen:
                raise DomainError(errors.REFUND_TOO_LARGE, "支付渠道拒绝退款：超过可退金额。")
            txn.refunded_fen += amount_fen
            txn.save(update_fields=["refunded_fen"])
            SimRefund.objects.create(refund_id=refund_key, txn=txn, amount_fen=amount_fen, at=now)
        return Refunded(refund_id=refund_key)

    def statement(self, *, day: dt.date) -> str:
        start = dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)
        end = start + dt.timedelta(days=1)
        rows: list[tuple[dt.datetime, str]] = []
        for txn in SimTransaction.objects.filter(
            status=SimStatus.SUCCESS, paid_at__gte=start, paid_at__lt=end
        ).iterator():
            assert txn.paid_at is not None
            rows.append((txn.paid_at, f"{txn.payment_code}|{txn.txn_id}|pay|{txn.amount_fen}"))
        for ref in SimRefund.objects.filter(at__gte=start, at__lt=end).select_related("txn"):
            rows.append(
                (ref.at, f"{ref.txn.payment_code}|{ref.txn.txn_id}|refund|{ref.amount_fen}")
            )
        rows.sort(key=lambda r: r[0])
        net = sum(int(text.rsplit("|", 1)[1]) * (1 if "|pay|" in text else -1) for _, text in rows)
        lines = [f"{HEADER}|{day.isoformat()}|{len(rows)}|{net}"]
        lines += [f"{text}|{at.astimezone(clock.SHANGHAI).isoformat()}" for at, text in rows]
        return "\n".join(lines) + "\n"

    def parse_statement(self, text: str) -> tuple[dt.date, list[StatementLine]]:
        return parse_statement(text)


def _bad(line_no: int, why: str) -> DomainError:
    return DomainError(
        errors.STATEMENT_MALFORMED,
        f"对账单第 {line_no} 行格式错误：{why}。整份对账单未导入，请核对后重新导入。",
        extra={"line": line_no},
    )


def parse_statement(text: str) -> tuple[dt.date, list[StatementLine]]:
    """Read a whole statement; the first bad line refuses all of it, by number."""
    raw = text.splitlines()
    if not raw:
        raise _bad(1, "文件为空")
    head = raw[0].strip().split("|")
    if len(head) != 4 or head[0] != HEADER:
        raise _bad(1, "表头须为 SIMPAY|日期|笔数|净额")
    try:
        day = dt.date.fromisoformat(head[1])
        count, net = int(head[2]), int(head[3])
    except ValueError:
        raise _bad(1, "表头的日期、笔数或净额无效") from None
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)
    end = start + dt.timedelta(days=1)
    lines: list[StatementLine] = []
    total = 0
    for index, row in enumerate(raw[1:], start=2):
        if not row.strip():
            continue
        parts = row.strip().split("|")
        if len(parts) != 5:
            raise _bad(index, f"应有 5 个字段，实有 {len(parts)} 个")
        code, txn, kind, amount, at_text = parts
        if not code or len(code) > 40 or not txn:
            raise _bad(index, "缴款码或交易号为空")
        if kind not in ("pay", "refund"):
            raise _bad(index, f"类型须为 pay 或 refund，实为“{kind}”")
        if not amount.isdigit():
            raise _bad(index, f"金额须为非负整数分，实为“{amount}”")
        try:
            at = dt.datetime.fromisoformat(at_text)
        except ValueError:
            raise _bad(index, f"时间无效：“{at_text}”") from None
        if at.tzinfo is None or not start <= at < end:
            raise _bad(index, "时间不在对账日内或未带时区")
        fen = int(amount)
        total += fen if kind == "pay" else -fen
        lines.append(StatementLine(index, code, txn, kind, fen, at))
    if len(lines) != count or total != net:
        raise _bad(1, f"表头笔数或净额与明细不符（明细 {len(lines)} 笔，净额 {total} 分）")
    return day, lines


# --- the bank side: what happens on the simulated cashier page -----------------


def sim_pay(
    *,
    txn_id: str,
    succeed: bool = True,
    deliveries: Sequence[int] = (0,),
    now: dt.datetime | None = None,
) -> SimTransaction:
    """The payer pays (or the bank declines) on the cashier page; the callbacks
    are queued ``deliveries`` seconds later each (``()``: never sent)."""
    moment = now or clock.now()
    with transaction.atomic():
        txn = SimTransaction.objects.select_for_update().get(txn_id=txn_id)
        if txn.status == SimStatus.WAITING:
            if succeed:
                txn.status, txn.paid_at = SimStatus.SUCCESS, moment
            else:
                txn.status = SimStatus.CLOSED
            txn.save(update_fields=["status", "paid_at"])
        status = "success" if txn.status == SimStatus.SUCCESS else "failed"
        for delay in deliveries:
            body = json.dumps(
                {
                    "notify_id": secrets.token_hex(8),
                    "payment_code": txn.payment_code,
                    "txn_id": txn.txn_id,
                    "status": status,
                    "amount_fen": txn.amount_fen,
                    "paid_at": txn.paid_at.isoformat() if txn.paid_at else None,
                },
                separators=(",", ":"),
            )
            SimCallback.objects.create(
                body=body,
                signature=sign(body.encode()),
                deliver_after=moment + dt.timedelta(seconds=delay),
            )
    return txn


def sim_deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send the callbacks whose time has come to the platform's notify door."""
    from tongban.payments.services import notification_receive

    moment = now or clock.now()
    sent = 0
    ids = list(
        SimCallback.objects.filter(delivered_at=None, dropped=False, deliver_after__lte=moment)
        .order_by("deliver_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            callback = (
                SimCallback.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, delivered_at=None)
                .first()
            )
            if callback is None:
                continue
            callback.delivered_at = moment
            callback.save(update_fields=["delivered_at"])
        # A refusal is recorded by the platform; a bank does not retry a 4xx.
        with contextlib.suppress(DomainError):
            notification_receive(
                provider=SimulatedProvider.code,
                body=callback.body.encode(),
                signature=callback.signature,
                address="sim",
                now=moment,
            )
        sent += 1
    return sent
