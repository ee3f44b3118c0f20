"""The text of a case's documents: titles, numbers, and what each one says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tongban.cases.models import (
    Case,
    CaseEvent,
    DocumentKind,
    Outcome,
)
from tongban.core import clock, pdf_fonts
from tongban.core.errors import DomainError, define
from tongban.org.models import Department, RegionLevel

# Stable code of this module (the lead may move it to ``cases/errors.py``).
DOCUMENT_NOT_APPLICABLE = define("case_document_not_applicable", 409, "办件当前不能出具该文书")

CJK_FONT = pdf_fonts.CJK_FONT
K = DocumentKind

TITLES: dict[str, str] = {
    K.ACCEPTANCE_NOTICE: "受理通知书",
    K.REFUSAL_DECISION: "不予受理决定书",
    K.SUPPLEMENT_NOTICE: "补正材料通知书",
    K.GRANT_DECISION: "准予行政许可决定书",
    K.DENIAL_DECISION: "不予行政许可决定书",
    K.CONCLUSION_NOTICE: "办结通知书",
}
SUBTITLES: dict[str, str] = {K.SUPPLEMENT_NOTICE: "（一次性告知）"}

# The character of each kind in the document number ("宁市监受字〔2026〕第000123号").
NUMBER_CHARS: dict[str, str] = {
    K.ACCEPTANCE_NOTICE: "受",
    K.REFUSAL_DECISION: "不受",
    K.SUPPLEMENT_NOTICE: "补",
    K.GRANT_DECISION: "准",
    K.DENIAL_DECISION: "不准",
    K.CONCLUSION_NOTICE: "结",
}
SEQUENCE_DIGITS = 6  # fixed width, so the highest number of a series sorts last
ISSUE_ATTEMPTS = 5

VERIFY_FOOTER = "扫描二维码核验文书真伪"
VERIFY_STATEMENT = "此文书由通办平台出具，内容与下列信息一致"

# Which transition issues which documents (the services issue them after the
# transition, in its transaction). ``decide`` and ``handle_immediately``
# depend on the outcome: see :func:`documents_for_transition`.
TRANSITION_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "accept": (K.ACCEPTANCE_NOTICE,),
    # 视为受理 (第三十二条): the applicant is told in writing all the same.
    "deem_accept": (K.ACCEPTANCE_NOTICE,),
    "refuse": (K.REFUSAL_DECISION,),
    "request_supplement": (K.SUPPLEMENT_NOTICE,),
    "decide": (),  # grant_decision or denial_decision by outcome
    "conclude": (K.CONCLUSION_NOTICE,),
    "handle_immediately": (K.CONCLUSION_NOTICE,),  # after the decision by outcome
    # 告知承诺: accepted and granted at once on the applicant's commitment.
    "grant_on_commitment": (K.ACCEPTANCE_NOTICE,),  # then the grant decision
}
DECISION_DOCUMENTS: dict[str, str] = {
    Outcome.GRANTED: K.GRANT_DECISION,
    Outcome.DENIED: K.DENIAL_DECISION,
}

# 行政复议法（2023年修订）第二十条: 六十日; 行政诉讼法 第四十六条: 六个月.
REMEDIES = (
    "如不服本决定，可以自收到本决定书之日起六十日内依照《中华人民共和国行政复议法》"
    "申请行政复议，或者六个月内依照《中华人民共和国行政诉讼法》向人民法院提起行政诉讼。"
)
LICENSING_LAW = "《中华人民共和国行政许可法》"


def documents_for_transition(case: Case, action: str) -> list[str]:
    """The kinds of document that ``action`` issues on ``case`` (after the
    transition, so the outcome is known), in the order they are issued."""
    kinds = list(TRANSITION_DOCUMENTS.get(action, ()))
    if action in {"decide", "handle_immediately"} and case.outcome in DECISION_DOCUMENTS:
        kinds.insert(0, DECISION_DOCUMENTS[case.outcome])
    elif action == "grant_on_commitment":
        kinds.append(DECISION_DOCUMENTS[case.outcome])
    return kinds


# ── Text ────────────────────────────────────────────────────────────────────


def chinese_date(day: dt.date) -> str:
    """GB/T 9704-2012: 2026年11月2日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _limit_text(limit: dict[str, Any]) -> str:
    unit = "个工作日" if limit.get("unit") == "working_days" else "日"
    return f"{limit.get('value', 0)}{unit}"


def issuer_code(department: Department) -> str:
    """机关代字 of the document number.

    A configured 代字 such as "宁市监" is used as it is. Short names that are
    relative to the department's region (the demo's "市市场监管局", "区政务办",
    "市场监管局") would give two cities the same number, so a short name that
    reads as a name (ends in 局, 厅, 委, …) is qualified with the region:
    "南京市市场监管局", "玄武区市场监管局".
    """
    short = (department.short_name or "").strip()
    if not short:
        return department.name
    if not short.endswith(("局", "厅", "委", "办", "院", "联", "公司", "中心")):
        return short
    region = department.region
    name = region.name
    # The demo's relative prefixes by level; a county-level city's "市场监管局"
    # starts with 市 but is not relative, hence county level strips 区/县 only.
    relative: dict[str, str] = {RegionLevel.PROVINCE: "省", RegionLevel.CITY: "市"}
    if short[0] in relative.get(region.level, "区县") and name.endswith(short[0]):
        short = short[1:]
    stem = name[:-1] if len(name) > 2 else name
    return short if stem in short else f"{name}{short}"


def number_series(department: Department, kind: str, year: int) -> str:
    """The number without its sequence: "南京市市场监管局受字〔2026〕第"."""
    return f"{issuer_code(department)}{NUMBER_CHARS[kind]}字〔{year}〕第"


def format_number(series: str, sequence: int) -> str:
    return f"{series}{sequence:0{SEQUENCE_DIGITS}d}号"


def _supplement_items(case: Case) -> list[dict[str, str]]:
    event = (
        CaseEvent.objects.filter(case=case, action="request_supplement")
        .order_by("-at", "-id")
        .first()
    )
    return list(event.details.get("items", [])) if event else []


def _certificate_of(case: Case) -> str:
    """The identifier of the electronic certificate the case's grant issued, if any."""
    from tongban.certificates.models import Certificate

    return str(
        Certificate.objects.filter(source_case_no=case.case_no)
        .order_by("-id")
        .values_list("identifier", flat=True)
        .first()
        or ""
    )


def _result_name(case: Case) -> str:
    content = case.guide_version.content or {}
    return str(content.get("result_certificate_type") or content.get("result") or "许可证件")


@dataclass
class NoticeContent:
    """Everything a document says, in reading order."""

    title: str
    subtitle: str
    number: str
    addressee: str
    paragraphs: list[str]
    items: list[str] = field(default_factory=list)  # numbered list (补正 items)
    closing: list[str] = field(default_factory=list)  # after the list
    issuer: str = ""
    date: str = ""
    verification_url: str = ""
    case_no: str = ""

    def lines(self) -> list[str]:
        head = [self.title + self.subtitle, self.number, f"{self.addressee}："]
        tail = [self.issuer, self.date, VERIFY_FOOTER, f"办件编号：{self.case_no}"]
        return head + self.paragraphs + self.items + self.closing + tail


def notice_content(
    case: Case, kind: str, *, number: str, verification_url: str, issued_at: dt.datetime
) -> NoticeContent:
    """The text of document ``kind`` on ``case`` (raises if it does not apply)."""
    if kind not in TITLES:
        raise DomainError(DOCUMENT_NOT_APPLICABLE, f"未知的文书类型：{kind}。")
    item = case.service_item.name
    received = chinese_date(case.received_on)
    applied = f"你（单位）于{received}提交的“{item}”申请（办件编号：{case.case_no}）"
    paragraphs: list[str] = []
    items: list[str] = []
    closing: list[str] = []

    def not_applicable(what: str) -> DomainError:
        return DomainError(
            DOCUMENT_NOT_APPLICABLE, f"办件{case.case_no}{what}，不能出具{TITLES[kind]}。"
        )

    if kind == K.ACCEPTANCE_NOTICE:
        if case.accepted_on is None:
            raise not_applicable("尚未受理")
        if case.deemed_accepted:
            # 第三十二条: no decision within five days → accepted on receipt.
            paragraphs.append(
                f"{applied}，本机关未在法定期限内作出是否受理的决定。依照{LICENSING_LAW}"
                f"第三十二条的规定，自收到申请材料之日即{chinese_date(case.accepted_on)}起视为受理。"
            )
        else:
            paragraphs.append(
                f"{applied}，经审查，申请材料齐全、符合法定形式。依照{LICENSING_LAW}"
                f"第三十二条第一款第（五）项的规定，本机关决定予以受理，受理日期为"
                f"{chinese_date(case.accepted_on)}。"
            )
        limit = _limit_text(case.rules.get("promised_limit", {}))
        deadline = (
            f"，本机关将于{chinese_date(case.decision_deadline)}前作出决定"
            if case.decision_deadline
            else ""
        )
        paragraphs.append(
            f"本事项承诺办理时限为{limit}{deadline}。依法需要听证、招标、拍卖、检验、检测、"
            f"检疫、鉴定和专家评审的，所需时间不计算在办理期限内（{LICENSING_LAW}第四十五条）。"
        )
        if case.deferred_due_on:
            paragraphs.append(
                f"本件为容缺受理，请于{chinese_date(case.deferred_due_on)}前补交容缺材料；"
                "容缺材料补齐前，本机关不作出决定。"
            )
        paragraphs.append(
            f"你可以凭办件编号和查询码（{case.tracking_code}）在通办平台查询办理进度，"
            "请妥善保管，勿告知他人。"
        )
    elif kind == K.REFUSAL_DECISION:
        if case.refused_on is None:
            raise not_applicable("未作出不予受理决定")
        basis = case.decision_basis or f"{LICENSING_LAW}第三十二条第一款"
        paragraphs += [
            f"{applied}，经审查，{case.decision_reason.rstrip('。')}。",
            f"依照{basis}的规定，本机关决定不予受理。",
            REMEDIES,
        ]
    elif kind == K.SUPPLEMENT_NOTICE:
        listed = _supplement_items(case) if case.supplement_requested_on else []
        if not listed:
            raise not_applicable("没有补正告知的材料清单")
        paragraphs.append(
            f"{applied}，申请材料不齐全或者不符合法定形式。依照{LICENSING_LAW}"
            "第三十二条第一款第（四）项的规定，现一次性告知你需要补正的全部内容如下："
        )
        items = [
            f"{i}. {entry.get('name', '')}"
            + (f"：{entry['reason']}" if entry.get("reason") else "")
            for i, entry in enumerate(listed, start=1)
        ]
        closing = [
            "请一次性补正上述全部材料。补正的申请材料齐全、符合法定形式的，"
            "自本机关收到全部补正材料之日起视为收到申请材料，办理时限自受理之日起计算。",
        ]
    elif kind in (K.GRANT_DECISION, K.DENIAL_DECISION):
        granted = kind == K.GRANT_DECISION
        if case.outcome != (Outcome.GRANTED if granted else Outcome.DENIED):
            raise not_applicable("未作出" + ("准予" if granted else "不予") + "许可的决定")
        accepted = chinese_date(case.accepted_on) if case.accepted_on else received
        basis = case.decision_basis or LICENSING_LAW
        reason = case.decision_reason.rstrip("。")
        if granted:
            # 第三十八条第一款 (准予), 第三十九条 (证件), 第四十四条 (十日内颁发、送达).
            paragraphs += [
                f"{applied}，本机关于{accepted}受理。经审查，{reason}，"
                "申请人的申请符合法定条件、标准。",
                f"依照{basis}和{LICENSING_LAW}第三十八条第一款的规定，本机关决定准予行政许可。",
                f"本机关将自作出决定之日起十日内向你颁发、送达《{_result_name(case)}》"
                f"（{LICENSING_LAW}第四十四条）。",
            ]
            identifier = _certificate_of(case)
            if identifier:
                paragraphs.append(
                    f"电子证照已签发（证照标识：{identifier}），与纸质证照具有同等法律效力，"
                    "可在通办平台“电子证照夹”查看、下载，或扫描证照二维码核验。"
                )
            if case.commitment:
                paragraphs.append(
                    "本决定依据你作出的告知承诺作出。本机关将依法进行核查，"
                    "发现承诺内容与实际情况不符的，将依法撤销本行政许可。"
                )
        else:
            # 第三十八条第二款: reasons and the remedies, in writing.
            paragraphs += [
                f"{applied}，本机关于{accepted}受理。经审查，{reason}。",
                f"依照{basis}和{LICENSING_LAW}第三十八条第二款的规定，本机关决定不予行政许可。",
                REMEDIES,
            ]
    else:  # 办结通知书
        if case.concluded_at is None:
            raise not_applicable("尚未办结")
        concluded = chinese_date(clock.local_date(case.concluded_at))
        outcome = Outcome(case.outcome).label if case.outcome else "已办理"
        paragraphs.append(f"{applied}，已于{concluded}办结，办理结果为：{outcome}。")
        if case.delivery_method:
            how = case.get_delivery_method_display()
            tracking = f"，邮寄单号：{case.tracking_no}" if case.tracking_no else ""
            delivered = chinese_date(case.delivered_on) if case.delivered_on else concluded
            what = f"《{_result_name(case)}》" if case.outcome == Outcome.GRANTED else "决定书"
            paragraphs.append(f"{what}已于{delivered}以{how}方式送达{tracking}。")
        paragraphs.append(
            "如对办理结果或者服务有意见、建议，可以通过通办平台“好差评”或者"
            "12345政务服务便民热线反映。"
        )
    return NoticeContent(
        title=TITLES[kind],
        subtitle=SUBTITLES.get(kind, ""),
        number=number,
        addressee=case.applicant_name,
        paragraphs=paragraphs,
        items=items,
        closing=closing,
        issuer=case.department.name,
        date=chinese_date(clock.local_date(issued_at)),
        verification_url=verification_url,
        case_no=case.case_no,
    )


def notice_lines(
    case: Case, kind: str, *, number: str, verification_url: str, issued_at: dt.datetime
) -> list[str]:
    """The plain-text lines that :func:`render_notice` draws, in order."""
    return notice_content(
        case, kind, number=number, verification_url=verification_url, issued_at=issued_at
    ).lines()
