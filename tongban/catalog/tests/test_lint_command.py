"""``tongban catalog lint``: the guides of a region subtree, as JSON or Excel."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tongban.catalog.models import GuideVersion, ServiceItem
from tongban.catalog.services import basic_item_create, guide_load_published, service_item_create
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.org.demo import credit_code_for
from tongban.org.models import Department
from tongban.org.selectors import region_get
from tongban.org.services import department_create, regions_load_from_file

pytestmark = pytest.mark.django_db


def make_department(region_code: str, name: str) -> Department:
    return department_create(
        name=name,
        credit_code=credit_code_for(name=name, region_code=region_code),
        region=region_get(region_code),
    )


@pytest.fixture
def catalogue():
    """Two published items in 南京市玄武区 (one later broken in the database), a
    draft-only item in 玄武区 and a published item in 南昌市东湖区."""
    regions_load_from_file()
    basic = basic_item_create(
        code="000123456000",
        name="食品经营许可证核发",
        item_type="01",
        legal_basis="《中华人民共和国食品安全法》",
        levels="34",
    )
    other = basic_item_create(
        code="000123457000",
        name="公共场所卫生许可",
        item_type="01",
        legal_basis="《公共场所卫生管理条例》",
        levels="34",
    )
    xuanwu_market = make_department("320102", "南京市玄武区市场监督管理局")
    xuanwu_health = make_department("320102", "南京市玄武区卫生健康委员会")
    donghu_market = make_department("360102", "南昌市东湖区市场监督管理局")
    good = guide_load_published(basic_item=basic, department=xuanwu_market, content=valid_guide())
    broken = guide_load_published(
        basic_item=other,
        department=xuanwu_health,
        content=valid_guide(name="公共场所卫生许可证核发"),
    )
    # The rules were tightened after publication: the stored version now fails.
    bad = valid_guide(name="公共场所卫生许可证核发", result="")
    bad["materials"][0]["name"] = "其他材料"
    GuideVersion.objects.filter(service_item=broken, status="published").update(content=bad)
    draft_only = service_item_create(
        basic_item=other, department=xuanwu_market, content=valid_guide(steps=[])
    )
    far = guide_load_published(basic_item=basic, department=donghu_market, content=valid_guide())
    return {"good": good, "broken": broken, "draft_only": draft_only, "far": far}


def run(*args: str) -> tuple[str, str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("catalog", "lint", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_linting_a_region_reports_its_items_and_fails_on_errors(catalogue):
    out, err, failure = run("--region", "320102", "--format", "json")

    assert failure is not None
    assert "2 处错误" in str(failure)
    document = json.loads(out)
    assert (document["errors"], document["warnings"]) == (2, 0)
    by_code = {item["implementation_code"]: item for item in document["items"]}
    assert set(by_code) == {
        catalogue["good"].implementation_code,
        catalogue["broken"].implementation_code,
        catalogue["draft_only"].implementation_code,
    }
    broken = by_code[catalogue["broken"].implementation_code]
    assert (broken["version"], broken["status"], broken["errors"]) == (1, "published", 2)
    assert [(f["code"], f["field"]) for f in broken["findings"]] == [
        ("catch_all_material", "materials[0].name"),
        ("missing_result", "result"),
    ]
    assert by_code[catalogue["good"].implementation_code]["findings"] == []
    assert by_code[catalogue["draft_only"].implementation_code]["version"] is None
    # The summary goes to stderr so that stdout stays JSON.
    assert f"{catalogue['broken'].implementation_code} 公共场所卫生许可证核发" in err
    assert "错误 2，提示 0" in err
    assert "另有 1 个事项尚无已发布的指南" in err


def test_a_clean_region_passes(catalogue):
    out, err, failure = run("--region", "360102")

    assert failure is None
    document = json.loads(out)
    assert document["errors"] == 0
    assert [i["implementation_code"] for i in document["items"]] == [
        catalogue["far"].implementation_code
    ]
    assert "共检查 1 个事项：错误 0 处，提示 0 处。" in err


def test_without_a_region_the_whole_catalogue_is_linted(catalogue):
    out, _, failure = run()

    assert failure is not None
    assert len(json.loads(out)["items"]) == ServiceItem.objects.count() == 4


def test_all_versions_lints_the_newest_version_including_drafts(catalogue):
    out, _, failure = run("--region", "320102", "--all-versions")

    assert failure is not None
    document = json.loads(out)
    draft = next(
        i
        for i in document["items"]
        if i["implementation_code"] == catalogue["draft_only"].implementation_code
    )
    assert (draft["version"], draft["status"]) == (1, "draft")
    assert [f["code"] for f in draft["findings"]] == ["missing_steps"]
    assert document["errors"] == 3


def test_json_can_be_written_to_a_file_with_the_summary_on_stdout(catalogue, tmp_path):
    target = tmp_path / "lint.json"

    out, _, failure = run("--region", "360102", "--output", str(target))

    assert failure is None
    assert json.loads(target.read_text(encoding="utf-8"))["items"][0]["findings"] == []
    assert "共检查 1 个事项" in out


def test_xlsx_lists_one_row_per_finding(catalogue, tmp_path):
    # By name: openpyxl has no type stubs (see the command's _write_xlsx).
    load_workbook = importlib.import_module("openpyxl").load_workbook
    target = tmp_path / "lint.xlsx"

    _, _, failure = run("--region", "320102", "--format", "xlsx", "--output", str(target))

    assert failure is not None
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == ("实施编码", "事项名称", "实施主体", "规则", "字段", "说明", "级别")
    code = catalogue["broken"].implementation_code
    assert [(r[0], r[1], r[2], r[3], r[4], r[6]) for r in rows[1:]] == [
        (code, "公共场所卫生许可证核发", "南京市玄武区卫生健康委员会", "catch_all_material",
         "materials[0].name", "错误"),
        (code, "公共场所卫生许可证核发", "南京市玄武区卫生健康委员会", "missing_result",
         "result", "错误"),
    ]  # fmt: skip


def test_xlsx_needs_an_output_file(catalogue):
    _, _, failure = run("--format", "xlsx")

    assert failure is not None
    assert "--output" in str(failure)


def test_an_unknown_region_is_a_clear_error(catalogue):
    _, _, failure = run("--region", "999999")

    assert failure is not None
    assert "999999" in str(failure)


def test_a_stored_document_that_no_longer_parses_is_one_invalid_guide_error(catalogue):
    GuideVersion.objects.filter(service_item=catalogue["far"]).update(content={"x": 1})

    out, _, failure = run("--region", "360102")

    assert failure is not None
    findings = json.loads(out)["items"][0]["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [("invalid_guide", "error")]
