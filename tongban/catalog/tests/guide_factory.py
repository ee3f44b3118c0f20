"""A complete guide document that passes every lint rule, for any catalogue test.

``valid_guide(**overrides)`` returns a fresh dict each call (deep-copied), so a
test may change nested parts freely::

    guide = valid_guide(handling="immediate")
    guide["materials"][0]["name"] = "其他材料"
"""

from __future__ import annotations

import copy
from typing import Any

_VALID_GUIDE: dict[str, Any] = {
    "name": "食品经营许可证核发",
    "aliases": ["食品经营许可"],
    "keywords": ["餐饮", "食品"],
    "audience": ["legal_entity"],
    "themes": ["市场监管"],
    "handling": "promised",
    "legal_limit": {"value": 20, "unit": "working_days"},
    "promised_limit": {"value": 5, "unit": "working_days"},
    "online_depth": 3,
    "visits_required": 1,
    "mobile": True,
    "free": True,
    "fees": [],
    "conditions": [
        "申请人已取得营业执照等合法主体资格",
        "具有与经营的食品品种、数量相适应的经营场所",
    ],
    "legal_bases": [
        {
            "title": "《中华人民共和国食品安全法》",
            "article": "第三十五条",
            "excerpt": "国家对食品生产经营实行许可制度。",
        },
        {"title": "食品经营许可管理办法", "article": "第二条"},
    ],
    "result": "食品经营许可证",
    "result_certificate_type": "食品经营许可证",
    "steps": [
        {"name": "受理", "role": "窗口人员", "share_percent": 20},
        {"name": "审查", "role": "审批人员", "share_percent": 50},
        {"name": "决定", "role": "部门负责人", "share_percent": 20},
        {"name": "送达", "role": "窗口人员", "share_percent": 10},
    ],
    "situations": [
        {"code": "agent", "name": "委托代理人办理"},
    ],
    "questions": [
        {
            "code": "q1",
            "text": "是否委托他人办理？",
            "options": [
                {"code": "yes", "label": "是", "situation": "agent"},
                {"code": "no", "label": "否"},
            ],
        }
    ],
    "materials": [
        {
            "code": "application",
            "name": "食品经营许可申请书",
            "blank_form": "申请书.docx",
            "media": "either",
        },
        {
            # A business's licence: looked up for a business applicant (两个免于
            # 提交); a person applying for the same item has none to give.
            "code": "business_licence",
            "name": "营业执照",
            "source": "government",
            "certificate_type": "营业执照",
            "exempt": True,
            "requirement": "optional",
        },
        {
            "code": "layout",
            "name": "经营场所平面布局图",
            "deferrable": True,
        },
        {
            "code": "power_of_attorney",
            "name": "授权委托书",
            "requirement": "situational",
            "situations": ["agent"],
        },
    ],
    "form": [
        {"code": "applicant_name", "label": "申请人名称"},
        {"code": "credit_code", "label": "统一社会信用代码", "type": "credit_code"},
    ],
    "modes": ["one_visit", "appointment", "deferred_materials"],
    "commitment_text": "",
    "halls": ["市民中心"],
    "address": "南京市建邺区江东中路 265 号",
    "office_hours": "工作日 9:00-17:00",
    "contacts": [
        {"kind": "咨询电话", "value": "025-12345"},
        {"kind": "监督投诉电话", "value": "12345"},
    ],
    "licence_separation": None,
    "prior_approval": False,
    "intermediary_service": False,
    "notes": "",
}


def valid_guide(**overrides: Any) -> dict[str, Any]:
    """A guide dict with zero lint findings; top-level keys replaced by ``overrides``."""
    guide = copy.deepcopy(_VALID_GUIDE)
    guide.update(copy.deepcopy(overrides))
    return guide
