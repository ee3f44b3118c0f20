"""What a fee rule charges for one application: pure, integer fen, no Django.

``assess(rule, answers)`` returns the line of the 缴款通知书: the fee's name,
its 收费依据, the amount before and after waivers, and the waiver applied.
A rule that cannot be computed from the answers (a quantity that is not a
whole number, an answer the table does not list) is refused with the reason,
never charged as zero. Amounts are checked by :func:`check_fen`: never a
float, never negative, never a fraction of a fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_FEN = 10**13  # 一千亿元: beyond any fee


class FeeError(ValueError):
    """A rule or an amount that cannot be charged; the message is for the user."""


def check_fen(value: Any, what: str = "金额") -> int:
    """An amount in fen as an int, refusing floats, fractions and negatives."""
    if isinstance(value, bool):
        raise FeeError(f"{what}须为整数分。")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str | Decimal | float):
        try:
            dec = Decimal(str(value).strip())
        except InvalidOperation:
            raise FeeError(f"{what}须为整数分，收到“{value}”。") from None
        if not dec.is_finite() or dec != dec.to_integral_value():
            raise FeeError(f"{what}须为整数分，不能有小数（收到 {value}）。")
        number = int(dec)
    else:
        raise FeeError(f"{what}须为整数分。")
    if number < 0:
        raise FeeError(f"{what}不能为负数（收到 {number}）。")
    if number > MAX_FEN:
        raise FeeError(f"{what}超出上限。")
    return number


@dataclass(frozen=True)
class RuleSpec:
    """The fields of ``models.FeeRule`` the computation reads."""

    fee_name: str
    basis: str
    rule: str  # fixed | per_unit | table
    amount_fen: int = 0
    unit_label: str = ""
    form_field: str = ""
    table: tuple[dict[str, Any], ...] = ()
    waivers: tuple[dict[str, Any], ...] = ()


def validate(spec: RuleSpec) -> None:
    """Refuse a rule that could never be computed (checked when it is saved)."""
    if not spec.basis.strip():
        raise FeeError(f"收费项目“{spec.fee_name}”须写明收费依据。")
    check_fen(spec.amount_fen, "金额")
    if spec.rule == "per_unit" and not spec.form_field:
        raise FeeError("按数量计费须指定数量所在的表单字段。")
    if spec.rule == "table":
        if not spec.form_field or not spec.table:
            raise FeeError("按标准表计费须指定表单字段和标准表。")
        for row in spec.table:
            check_fen(row.get("amount_fen"), f"标准表“{row.get('label') or row.get('value')}”金额")
    if spec.rule not in ("fixed", "per_unit", "table"):
        raise FeeError(f"未知的计费方式：{spec.rule}")
    for waiver in spec.waivers:
        percent = waiver.get("percent")
        if not isinstance(percent, int) or not 0 < percent <= 100:
            raise FeeError("减免比例须为 1–100 的整数。")
        if not waiver.get("field") or not waiver.get("label"):
            raise FeeError("减免规则须写明条件字段和名称。")


def _truthy(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def assess(spec: RuleSpec, answers: dict[str, Any]) -> dict[str, Any]:
    """The order line for ``spec`` given the form ``answers``."""
    if spec.rule == "fixed":
        gross = spec.amount_fen
        quantity = None
    elif spec.rule == "per_unit":
        raw = answers.get(spec.form_field)
        try:
            dec = Decimal(str(raw).strip())
        except (InvalidOperation, TypeError):
            raise FeeError(
                f"“{spec.fee_name}”按{spec.unit_label or '数量'}计费，申请表未填写数量。"
            ) from None
        if not dec.is_finite() or dec < 0 or dec != dec.to_integral_value():
            raise FeeError(f"“{spec.fee_name}”的数量须为非负整数（收到 {raw}）。")
        quantity = int(dec)
        gross = spec.amount_fen * quantity
    else:
        key = _truthy(answers.get(spec.form_field, ""))
        row = next((r for r in spec.table if str(r.get("value")) == key), None)
        if row is None:
            raise FeeError(f"“{spec.fee_name}”的标准表没有“{key}”一档。")
        gross = int(row["amount_fen"])
        quantity = None
    check_fen(gross, f"“{spec.fee_name}”金额")
    waiver = next(
        (
            w
            for w in spec.waivers
            if _truthy(answers.get(str(w["field"]), "")) == _truthy(w.get("equals", "true"))
        ),
        None,
    )
    # Waivers round the remission down: the payer never pays a fraction of a fen.
    waived = gross * int(waiver["percent"]) // 100 if waiver else 0
    return {
        "name": spec.fee_name,
        "basis": spec.basis,
        "rule": spec.rule,
        "quantity": quantity,
        "unit": spec.unit_label,
        "gross_fen": gross,
        "waived_fen": waived,
        "waiver": str(waiver["label"]) if waiver else "",
        "amount_fen": gross - waived,
    }


def yuan(fen: int) -> str:
    """¥ text of an amount in fen: 12345 → "123.45"."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"
