"""A case received at a window records the window (一窗受理率 counts it by the
window's kind); an online case has none."""

from __future__ import annotations

import datetime as dt

from tongban.cases import services as case_services
from tongban.cases.models import MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.core.clock import SHANGHAI
from tongban.core.identifiers import generate_credit_code
from tongban.org.models import Window, WindowKind
from tongban.org.services import staff_assign

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20
AT = dt.datetime(2026, 11, 2, 10, tzinfo=SHANGHAI)


def _submit(world, channel, by=None):
    return case_services.case_submit(
        service_item=world.immediate,
        channel=channel,
        applicant_person=world.person,
        form_data={
            "applicant_name": "张伟",
            "credit_code": generate_credit_code("9132010270000001"),
        },
        materials=[
            MaterialInput(
                code="application", kind=MaterialKind.UPLOAD, content=PDF, file_name="申请书.pdf"
            ),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        submitted_by=by,
        now=AT,
    )


def test_a_case_taken_at_a_window_records_the_clerks_window(world):
    window = Window.objects.filter(kind=WindowKind.COMPREHENSIVE).first()
    assert window is not None
    department = world.clerk.staff_assignments.filter(active=True).first().department
    staff_assign(
        user_id=world.clerk.pk,
        role="window_clerk",
        department=department,
        region_scope=department.region,
        window=window,
    )
    at_window = _submit(world, "window", by=world.clerk)
    assert at_window.window_id == window.pk
    online = _submit(world, "online")
    assert online.window_id is None


def test_a_clerk_without_a_window_leaves_it_empty(world):
    case = _submit(world, "window", by=world.clerk)
    assert case.window_id is None
