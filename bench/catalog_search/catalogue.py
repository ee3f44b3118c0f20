"""The generated catalogue: item-name stems, actions, modes and guide templates."""

from __future__ import annotations

from typing import Any

# --- the generated catalogue ---------------------------------------------------------------

# (department suffix, item type, audience, themes, stems)
CATEGORIES: list[tuple[str, str, str, list[str], list[str]]] = [
    (
        "市场监督管理局",
        "01",
        "legal_entity",
        ["设立变更", "准营准办"],
        [
            "营业执照",
            "食品经营许可证",
            "食品生产许可证",
            "药品经营许可证",
            "医疗器械经营许可证",
            "特种设备使用登记",
            "计量器具强制检定",
            "个体工商户登记",
            "农民专业合作社登记",
            "股权出质登记",
            "动产抵押登记",
            "广告发布登记",
            "企业名称登记",
            "食品小作坊登记证",
            "工业产品生产许可证",
        ],
    ),
    (
        "公安局",
        "07",
        "person",
        ["户籍办理"],
        [
            "户口迁移",
            "户口登记",
            "居民身份证",
            "临时居民身份证",
            "居住证",
            "出生登记",
            "死亡注销户口",
            "机动车登记",
            "机动车驾驶证",
            "往来港澳通行证",
            "养犬登记",
            "剧毒化学品购买许可证",
            "烟花爆竹道路运输许可证",
            "保安服务许可证",
        ],
    ),
    (
        "人力资源和社会保障局",
        "20",
        "person",
        ["社会保障", "就业创业"],
        [
            "社会保险关系转移",
            "社会保障卡",
            "养老保险待遇领取",
            "失业保险金",
            "就业创业证",
            "职业资格证书",
            "劳务派遣经营许可证",
            "人力资源服务许可证",
            "工伤认定",
            "职业技能等级认定",
            "退休审批",
            "创业担保贷款",
        ],
    ),
    (
        "民政局",
        "07",
        "person",
        ["婚姻登记", "身后事", "生育收养"],
        [
            "结婚登记",
            "离婚登记",
            "结婚证补领",
            "收养登记",
            "社会团体登记",
            "民办非企业单位登记",
            "最低生活保障",
            "特困人员救助供养",
            "临时救助",
            "殡葬服务",
            "慈善组织认定",
            "地名命名",
        ],
    ),
    (
        "卫生健康委员会",
        "01",
        "person",
        ["生育收养"],
        [
            "出生医学证明",
            "医疗机构执业许可证",
            "医师执业注册",
            "护士执业注册",
            "公共场所卫生许可证",
            "生育登记",
            "母婴保健技术服务许可",
            "放射诊疗许可",
        ],
    ),
    (
        "医疗保障局",
        "20",
        "person",
        ["社会保障", "退休"],
        [
            "医保关系转移接续",
            "异地就医备案",
            "门诊慢特病待遇认定",
            "医疗费用零星报销",
            "生育保险待遇",
            "医保参保登记",
            "定点医药机构",
        ],
    ),
    (
        "住房和城乡建设局",
        "01",
        "legal_entity",
        ["准营准办"],
        [
            "建筑工程施工许可证",
            "建筑业企业资质",
            "房地产开发企业资质",
            "商品房预售许可证",
            "住房公积金提取",
            "住房公积金贷款",
            "城市建筑垃圾处置核准",
            "燃气经营许可证",
        ],
    ),
    (
        "税务局",
        "20",
        "legal_entity",
        ["纳税缴费", "注销"],
        [
            "税务登记",
            "发票领用",
            "增值税申报",
            "个人所得税汇算",
            "税务注销",
            "清税证明",
            "出口退税备案",
            "纳税信用评价",
        ],
    ),
    (
        "自然资源局",
        "01",
        "person",
        [],
        [
            "不动产登记",
            "不动产权证书",
            "建设用地规划许可证",
            "建设工程规划许可证",
            "采矿许可证",
            "乡村建设规划许可证",
        ],
    ),
    (
        "交通运输局",
        "01",
        "legal_entity",
        ["准营准办"],
        [
            "道路运输经营许可证",
            "道路运输从业资格证",
            "网络预约出租汽车运输证",
            "公路超限运输许可",
            "出租汽车经营许可",
        ],
    ),
]
ACTIONS = [
    "核发",
    "变更",
    "注销",
    "延续",
    "补领",
    "换领",
    "遗失补办",
    "备案",
    "查询",
    "年度报告",
    "撤销",
    "信息变更",
    "审核",
    "首次申请",
    "确认",
    "证明开具",
    "预约办理",
    "复核",
    "注销登记",
    "变更登记",
    "迁移",
]
MODES_BY_INDEX = [
    ["no_visit", "fully_online"],
    ["one_visit", "appointment"],
    ["one_visit", "post"],
    ["nearby", "one_visit"],
]


def basic_specs(count: int) -> list[dict[str, Any]]:
    """``count`` basic items: stem × action, cycling through the categories."""
    specs = []
    pairs = [
        (cat, stem, action)
        for action in ACTIONS
        for cat in CATEGORIES
        for stem in cat[4]
        if not stem.endswith(action)
    ]
    for i, (cat, stem, action) in enumerate(pairs[:count]):
        suffix, item_type, audience, themes, _ = cat
        specs.append(
            {
                "code": f"BENCH{i:07d}",
                "name": f"{stem}{action}",
                "stem": stem,
                "suffix": suffix,
                "item_type": item_type,
                "audience": audience,
                "themes": themes,
                "modes": MODES_BY_INDEX[i % len(MODES_BY_INDEX)],
            }
        )
    return specs


def guide_template(spec: dict[str, Any]) -> dict[str, Any]:
    no_visit = "no_visit" in spec["modes"]
    materials = [
        {"code": "application", "name": f"{spec['name']}申请表", "blank_form": "申请表.docx"},
        {"code": "identity", "name": "申请人身份证明"},
    ]
    if spec["audience"] == "legal_entity":
        materials.append(
            {
                "code": "business_licence",
                "name": "营业执照",
                "source": "government",
                "certificate_type": "营业执照",
                "exempt": True,
            }
        )
    return {
        "name": spec["name"],
        "aliases": [],
        "keywords": [spec["stem"]],
        "audience": [spec["audience"]],
        "themes": spec["themes"],
        "handling": "promised",
        "legal_limit": {"value": 20, "unit": "working_days"},
        "promised_limit": {"value": 5, "unit": "working_days"},
        "online_depth": 4 if no_visit else 3,
        "visits_required": 0 if no_visit else 1,
        "mobile": True,
        "free": True,
        "conditions": ["申请人符合法定条件"],
        "legal_bases": [{"title": "《中华人民共和国行政许可法》", "article": "第二十九条"}],
        "result": f"{spec['stem']}办理结果",
        "steps": [
            {"name": "受理", "role": "窗口人员", "share_percent": 20},
            {"name": "审查", "role": "审批人员", "share_percent": 60},
            {"name": "决定", "role": "部门负责人", "share_percent": 20},
        ],
        "materials": materials,
        "modes": spec["modes"],
        "address": "政务服务中心",
        "office_hours": "工作日 9:00-17:00",
        "contacts": [
            {"kind": "咨询电话", "value": "12345"},
            {"kind": "监督投诉电话", "value": "12345"},
        ],
    }
