"""The themes of the home page (主题服务): informational tiles for now.

Life events follow the natural person's 全生命周期 and business stages the
legal entity's, as in the national 一体化政务服务平台 theme lists. They link
nowhere until the catalogue of 事项 exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    slug: str
    title: str
    summary: str


LIFE_THEMES = (
    Theme("birth", "生育收养", "出生医学证明、生育登记、收养登记等"),
    Theme("hukou", "户籍办理", "出生落户、迁移、居民身份证等"),
    Theme("marriage", "婚姻登记", "结婚、离婚、补领婚姻登记证等"),
    Theme("employment", "就业创业", "求职登记、职业培训、创业扶持等"),
    Theme("social-security", "社会保障", "社保参保、医保报销、社会救助等"),
    Theme("retirement", "退休", "退休申请、养老金领取资格认证等"),
    Theme("after-death", "身后事", "死亡登记、丧葬补助、遗属待遇等"),
)

BUSINESS_THEMES = (
    Theme("establish", "设立变更", "企业开办、登记事项变更等"),
    Theme("licences", "准营准办", "经营许可、资质认定等"),
    Theme("tax", "纳税缴费", "税费申报、社保缴费等"),
    Theme("deregister", "注销", "简易注销、清算注销等"),
)
