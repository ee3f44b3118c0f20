"""Every write of the organisation layer (CONVENTIONS 2).

Each service validates its input, raises ``DomainError`` with a code from
``tongban.org.errors`` and a Chinese detail, and appends one audit event.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code, validate_region_code
from tongban.org import errors
from tongban.org.models import (
    CoordinateSystem,
    Department,
    DepartmentKind,
    Hall,
    Region,
    RegionLevel,
    Role,
    StaffAssignment,
    Window,
    WindowKind,
)
from tongban.org.places import hall_place_check

# The files committed with the code (see data/README.md for their sources): the
# GB/T 2260 divisions down to the counties, and the 乡镇/村 of the demo counties.
DEFAULT_REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.csv"
SUBCOUNTY_REGIONS_FILE = Path(__file__).resolve().parent / "data" / "subcounty_regions.csv"

_LEVEL_DEPTH: dict[str, int] = {
    RegionLevel.PROVINCE: 0,
    RegionLevel.CITY: 1,
    RegionLevel.COUNTY: 2,
    RegionLevel.TOWNSHIP: 3,
    RegionLevel.VILLAGE: 4,
}
# The digits of a code that name the region itself; its children's codes start with them.
# GB/T 2260: 2 province, 4 city, 6 county; 统计用区划代码: 9 乡级, 12 村级.
_OWN_DIGITS: dict[str, int] = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}
_NAME_MAX, _FULL_NAME_MAX = 60, 200  # Region.name and Region.full_name max_length


@dataclass(frozen=True)
class RegionLoadResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class _RegionRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str | None


def _code_shape_problem(code: str, level: str) -> str | None:
    """Why ``code`` cannot be a region of ``level``, or None when it can."""
    if level in (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
        if len(code) != 12:
            return "乡镇、村级区划代码应为 12 位"
        # 乡级 codes are written as their 9 digits + "000"; 村级 codes never end so.
        if level == RegionLevel.TOWNSHIP and not code.endswith("000"):
            return "乡镇级代码末三位应为 000"
        if level == RegionLevel.VILLAGE and code.endswith("000"):
            return "村级代码末三位不应为 000"
        return None
    if len(code) != 6:
        return "省、市、县级区划代码应为 6 位"
    fits = {
        RegionLevel.PROVINCE: code[2:] == "0000",
        RegionLevel.CITY: code[2:4] != "00" and code[4:] == "00",
        RegionLevel.COUNTY: code[4:] != "00",
    }
    return None if fits[RegionLevel(level)] else f"代码与层级“{RegionLevel(level).label}”不符"


def _read_region_rows(path: Path) -> list[_RegionRow]:
    def fail(why: str) -> DomainError:
        return DomainError(errors.REGION_FILE_INVALID, f"行政区划数据文件 {path.name} 有误：{why}")

    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != ["code", "name", "level", "parent_code"]:
                raise fail("表头应为 code,name,level,parent_code")
            raw_rows = [dict(row) for row in reader]
    except OSError as exc:
        raise fail(f"无法读取（{exc.strerror}）") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise fail("不是 UTF-8 编码的 CSV 文件") from exc
    seen: set[str] = set()
    rows: list[_RegionRow] = []
    for number, raw in enumerate(raw_rows, start=2):
        try:
            code = validate_region_code(raw.get("code") or "")
        except DomainError as exc:
            raise fail(f"第 {number} 行：{exc.detail}") from exc
        if code in seen:
            raise fail(f"第 {number} 行区划代码 {code} 重复")
        seen.add(code)
        level = raw.get("level") or ""
        if level not in _LEVEL_DEPTH:
            raise fail(f"第 {number} 行层级 {level} 无效")
        if problem := _code_shape_problem(code, level):
            raise fail(f"第 {number} 行 {code}：{problem}")
        name = (raw.get("name") or "").strip()
        if not name or len(name) > _NAME_MAX:
            raise fail(f"第 {number} 行名称为空或超过 {_NAME_MAX} 个字")
        parent_code = (raw.get("parent_code") or "").strip() or None
        if (parent_code is None) != (level == RegionLevel.PROVINCE):
            raise fail(f"第 {number} 行 {code}：省级区划无上级，其他区划须填写上级代码")
        rows.append(_RegionRow(number, code, name, level, parent_code))
    # Parents before children, so each row's parent path is known when it is built.
    rows.sort(key=lambda r: (_LEVEL_DEPTH[r.level], r.code))
    return rows


def _assign_changed(region: Region, values: dict[str, str | None]) -> bool:
    """Set ``values`` on ``region``; whether any of them differed."""
    changed = False
    for field, value in values.items():
        if getattr(region, field) != value:
            setattr(region, field, value)
            changed = True
    return changed


def regions_load_from_file(
    *, path: Path | str = DEFAULT_REGIONS_FILE, actor: str = "system"
) -> RegionLoadResult:
    """Create or update the regions of a ``code,name,level,parent_code`` file.

    Idempotent: loading the same file twice changes nothing the second time.
    Regions missing from the file are left alone (a code withdrawn from
    GB/T 2260 may still be referenced by historic cases). A row's parent may
    be in the file or already loaded, so the 乡镇/村 file loads after the
    county file. Every row is checked before anything is written: a parent
    that exists, is of a higher level and whose code prefixes the row's.
    """
    path = Path(path)
    rows = _read_region_rows(path)

    def fail(row: _RegionRow, why: str) -> DomainError:
        return DomainError(
            errors.REGION_FILE_INVALID,
            f"行政区划数据文件 {path.name} 有误：第 {row.line} 行 {row.code} {why}",
        )

    with transaction.atomic():
        existing = {r.code: r for r in Region.objects.all()}
        known = {code: (r.path, r.full_name, r.level) for code, r in existing.items()}
        to_create: list[Region] = []
        to_update: list[Region] = []
        unchanged = 0
        for row in rows:
            parent = known.get(row.parent_code) if row.parent_code else None
            if row.parent_code is not None:
                if parent is None:
                    raise fail(row, f"的上级 {row.parent_code} 不存在")
                if _LEVEL_DEPTH[parent[2]] >= _LEVEL_DEPTH[row.level]:
                    raise fail(row, f"的上级 {row.parent_code} 层级不高于本级")
                if not row.code.startswith(row.parent_code[: _OWN_DIGITS[parent[2]]]):
                    raise fail(row, f"不在上级 {row.parent_code} 的代码范围内")
            region_path = (parent[0] if parent else "/") + row.code + "/"
            full_name = (parent[1] if parent else "") + row.name
            if len(full_name) > _FULL_NAME_MAX:
                raise fail(row, f"的全称超过 {_FULL_NAME_MAX} 个字")
            known[row.code] = (region_path, full_name, row.level)
            values = {
                "name": row.name,
                "full_name": full_name,
                "level": row.level,
                "parent_id": row.parent_code,
                "path": region_path,
            }
            current = existing.pop(row.code, None)
            if current is None:
                to_create.append(Region(code=row.code, **values))
            elif _assign_changed(current, values):
                to_update.append(current)
            else:
                unchanged += 1
        # Regions loaded from another file follow a renamed ancestor (a county's new
        # name is in its 乡镇' and 村' full names), parents first.
        for region in sorted(existing.values(), key=lambda r: len(r.path)):
            if region.parent_id is None or region.parent_id not in known:
                continue
            parent_path, parent_full, _level = known[region.parent_id]
            own_path, own_full = parent_path + region.code + "/", parent_full + region.name
            known[region.code] = (own_path, own_full, region.level)
            if _assign_changed(region, {"path": own_path, "full_name": own_full}):
                to_update.append(region)
        Region.objects.bulk_create(to_create, batch_size=500)
        Region.objects.bulk_update(
            to_update, ["name", "full_name", "level", "parent", "path"], batch_size=500
        )
        result = RegionLoadResult(len(to_create), len(to_update), unchanged)
        audit_record(
            actor=actor,
            action="org.regions_load",
            object_type="org.Region",
            object_id=path.name,
            details={"created": result.created, "updated": result.updated, "total": result.total},
        )
    return result


def department_create(
    *,
    name: str,
    credit_code: str,
    region: Region,
    kind: str = DepartmentKind.ORDINARY,
    short_name: str = "",
    parent: Department | None = None,
    actor: str = "system",
) -> Department:
    """Register a department; its 统一社会信用代码 must be valid (GB 32100-2015) and unused."""
    code = validate_credit_code(credit_code)
    if kind not in DepartmentKind.values:
        raise DomainError(errors.DEPARTMENT_KIND_INVALID, f"部门类型 {kind} 无效")
    if Department.objects.filter(credit_code=code).exists():
        raise DomainError(
            errors.DEPARTMENT_CREDIT_CODE_TAKEN, f"统一社会信用代码 {code} 已被其他部门使用"
        )
    # A parent governs from the same region or above it (垂直管理 or 派出机构).
    if parent is not None and not region.path.startswith(parent.region.path):
        raise DomainError(
            errors.DEPARTMENT_PARENT_INVALID,
            f"上级部门“{parent.name}”所在区划不是“{region.name}”或其上级",
        )
    with transaction.atomic():
        department = Department.objects.create(
            name=name.strip(),
            short_name=short_name.strip(),
            credit_code=code,
            region=region,
            kind=kind,
            parent=parent,
        )
        audit_record(
            actor=actor,
            action="org.department_create",
            object_type="org.Department",
            object_id=str(department.pk),
            details={"name": department.name, "credit_code": code, "region": region.code},
        )
    return department


def hall_create(
    *,
    name: str,
    region: Region,
    department: Department | None = None,
    address: str = "",
    phone: str = "",
    opening_hours: str = "",
    level: str = "",
    latitude: Any = None,
    longitude: Any = None,
    coordinate_system: str = CoordinateSystem.GCJ02,
    transport: str = "",
    actor: str = "system",
) -> Hall:
    """Register a 政务服务大厅 (run by the region's service centre or approval bureau)
    or a service point of the five levels (level and coordinates: ``org.places``)."""
    level = level or region.level
    lat, lng = hall_place_check(
        level=level,
        region=region,
        latitude=latitude,
        longitude=longitude,
        coordinate_system=coordinate_system,
    )
    if department is not None:
        # Halls are run by the 政务服务管理办公室 (service centre) or, where the
        # 相对集中行政许可权 reform created one, the 行政审批局.
        if department.kind not in (DepartmentKind.SERVICE_CENTRE, DepartmentKind.APPROVAL_BUREAU):
            raise DomainError(
                errors.HALL_DEPARTMENT_INVALID,
                f"“{department.name}”不是政务服务中心或行政审批局，不能管理大厅",
            )
        if department.region_id != region.code:
            raise DomainError(
                errors.HALL_DEPARTMENT_INVALID, f"“{department.name}”不属于“{region.name}”"
            )
    with transaction.atomic():
        hall = Hall.objects.create(
            name=name.strip(),
            region=region,
            department=department,
            address=address,
            phone=phone,
            opening_hours=opening_hours,
            level=level,
            latitude=lat,
            longitude=lng,
            coordinate_system=coordinate_system,
            transport=transport.strip()[:200],
        )
        audit_record(
            actor=actor,
            action="org.hall_create",
            object_type="org.Hall",
            object_id=str(hall.pk),
            details={"name": hall.name, "region": region.code, "level": level},
        )
    return hall


def _on_same_line(a: Region, b: Region) -> bool:
    """Whether one region contains the other (or they are the same)."""
    return a.path.startswith(b.path) or b.path.startswith(a.path)


def window_create(
    *,
    hall: Hall,
    number: str,
    name: str,
    kind: str,
    departments: Iterable[Department] = (),
    actor: str = "system",
) -> Window:
    """Open a window in a hall for the items of the given departments."""
    if kind not in WindowKind.values:
        raise DomainError(errors.WINDOW_KIND_INVALID, f"窗口类型 {kind} 无效")
    number = number.strip()
    if Window.objects.filter(hall=hall, number=number).exists():
        raise DomainError(errors.WINDOW_NUMBER_TAKEN, f"“{hall.name}”已有 {number} 号窗口")
    departments = list(departments)
    for department in departments:
        if not _on_same_line(department.region, hall.region):
            raise DomainError(
                errors.WINDOW_DEPARTMENT_OUTSIDE_REGION,
                f"“{department.name}”不在“{hall.name}”所在区划的上下级范围内",
            )
    with transaction.atomic():
        window = Window.objects.create(hall=hall, number=number, name=name.strip(), kind=kind)
        window.departments.set(departments)
        audit_record(
            actor=actor,
            action="org.window_create",
            object_type="org.Window",
            object_id=str(window.pk),
            details={
                "hall": hall.pk,
                "number": number,
                "kind": kind,
                "departments": sorted(d.pk for d in departments),
            },
        )
    return window


def staff_assign(
    *,
    user_id: int,
    role: str,
    department: Department,
    region_scope: Region,
    scope_departments: Sequence[Department] = (),
    window: Window | None = None,
    actor: str = "system",
) -> StaffAssignment:
    """Give a user a role in a department with a data scope (DESIGN §8).

    One active assignment per (user, role, department): assigning again
    replaces its scope, so the call is idempotent.
    """
    if role not in Role.values:
        raise DomainError(errors.STAFF_ROLE_INVALID, f"岗位角色 {role} 无效")
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise DomainError(errors.STAFF_USER_NOT_FOUND, f"用户 {user_id} 不存在")
    # Nobody sees beyond the jurisdiction of the department they work for.
    if not region_scope.path.startswith(department.region.path):
        raise DomainError(
            errors.STAFF_SCOPE_INVALID,
            f"数据范围“{region_scope.name}”超出了“{department.name}”所在区划",
        )
    for scoped in scope_departments:
        if not scoped.region.path.startswith(region_scope.path):
            raise DomainError(
                errors.STAFF_SCOPE_INVALID,
                f"部门“{scoped.name}”不在数据范围“{region_scope.name}”内",
            )
    if window is not None and not _on_same_line(window.hall.region, region_scope):
        raise DomainError(
            errors.STAFF_SCOPE_INVALID, f"窗口所在大厅“{window.hall.name}”不在数据范围内"
        )
    with transaction.atomic():
        assignment = (
            StaffAssignment.objects.select_for_update()
            .filter(user_id=user_id, role=role, department=department, active=True)
            .first()
        )
        if assignment is None:
            assignment = StaffAssignment.objects.create(
                user_id=user_id,
                role=role,
                department=department,
                region_scope=region_scope,
                window=window,
                assigned_at=clock.now(),
            )
        else:
            assignment.region_scope = region_scope
            assignment.window = window
            assignment.save(update_fields=["region_scope", "window"])
        assignment.scope_departments.set(scope_departments)
        audit_record(
            actor=actor,
            action="org.staff_assign",
            object_type="org.StaffAssignment",
            object_id=str(assignment.pk),
            details={
                "user": user_id,
                "role": role,
                "department": department.pk,
                "region_scope": region_scope.code,
                "scope_departments": sorted(d.pk for d in scope_departments),
                "window": window.pk if window else None,
            },
        )
    return assignment


def staff_unassign(*, assignment: StaffAssignment, actor: str = "system") -> StaffAssignment:
    """End an assignment; the row stays as the record of the past scope."""
    with transaction.atomic():
        locked = StaffAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.active:
            locked.active = False
            locked.save(update_fields=["active"])
            audit_record(
                actor=actor,
                action="org.staff_unassign",
                object_type="org.StaffAssignment",
                object_id=str(locked.pk),
                details={"user": locked.user_id, "role": locked.role},
            )
    return locked
