"""Pure rules of the marketplace: no designated agencies, project codes, amounts."""

from __future__ import annotations

import re

from stdnum.iso7064 import mod_11_10

# R-IM-3 (002 #33–#35, 000 (十四)): a buyer may ask for a qualification and nothing
# more; naming an agency, a place of registration, a size or a track record
# restricts competition and is refused with the reason. Each row: the pattern in
# the purchase text, and the reason given.
_RESTRICTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"指定(?:的)?(?:中介)?(?:机构|单位|服务商)"), "不得指定中介机构"),
    (re.compile(r"(?:限|仅限|只限)(?:于)?(?:本地|本市|本县|本区|本省)"), "不得限定机构的注册地"),
    (re.compile(r"(?:须|必须|需|应)(?:在|为)?(?:本地|本市|本县|本区)(?:注册|设立|登记)"),
     "不得限定机构的注册地"),
    (re.compile(r"注册资本(?:不低于|不少于|须达到|达到|以上)"), "不得设置注册资本门槛"),
    (re.compile(r"(?:类似|同类)?业绩(?:不少于|不低于|须|要求)"), "不得设置业绩门槛"),
    (re.compile(r"(?:从业|成立)(?:年限)?(?:满|不少于|不低于)\s*\d+\s*年"),
     "不得设置成立或从业年限门槛"),
    (re.compile(r"(?:备选|入围)(?:机构)?(?:库|名单)"), "不得以备选库、入围名单限定机构"),
)  # fmt: skip

RESTRICTION_KEYS = {
    "designated_agency": "不得指定中介机构",
    "region_only": "不得限定机构的注册地",
    "min_registered_capital_fen": "不得设置注册资本门槛",
    "min_past_projects": "不得设置业绩门槛",
    "min_years": "不得设置成立或从业年限门槛",
}


def restriction_problems(*, texts: list[str], restrictions: dict[str, object]) -> list[str]:
    """Why a purchase restricts agencies beyond qualifications (empty: it does not)."""
    problems: list[str] = []
    for key, value in restrictions.items():
        if value in (None, "", [], 0, False):
            continue
        problems.append(RESTRICTION_KEYS.get(key, f"不得设置资质以外的限制条件（{key}）"))
    for text in texts:
        for pattern, reason in _RESTRICTIONS:
            found = pattern.search(text or "")
            if found:
                problems.append(f"{reason}（“{found.group(0)}”）")
    return list(dict.fromkeys(problems))


_PROJECT_CODE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(0[1-5])-(\d{6})$")


def project_code_problem(value: str) -> str | None:
    """Why a 投资项目代码 (GB/T 40058-2021) is malformed, or None.

    The shape and the ISO 7064 MOD 11,10 check character, as the project
    registry checks them (tongban.bundles.identifiers, which this layer may not
    import); whether the project is registered is shown on the pages.
    """
    match = _PROJECT_CODE.match(value)
    if match is None:
        return "格式应为“YYMM-地区代码-部门代码-类型代码-随机码校验码”，如 2411-130202-89-01-637015"
    if not 1 <= int(match.group(1)[2:]) <= 12:
        return "时间代码的月份无效"
    if match.group(3) == "00":
        return "中央业务指导部门代码不能为 00"
    if not mod_11_10.is_valid(value.replace("-", "")):
        return "校验码不正确"
    return None
