"""``tongban demo load [--if-empty]``: the demo province, idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tongban.appointments.demo import demo_appointments_load
from tongban.appointments.demo_points import demo_service_points_load
from tongban.catalog.demo import demo_catalog_load
from tongban.credit.demo import demo_credit_load
from tongban.demo.activity import demo_activity_load
from tongban.demo.certificates import demo_certificates_all_load
from tongban.demo.sharing import demo_sharing_all_load
from tongban.demo.staff import STAFF_PASSWORD, demo_staff_load
from tongban.hotline.demo import demo_hotline_load
from tongban.identity.demo import demo_business_accounts_load, demo_identity_load
from tongban.identity.models import User
from tongban.intermediaries.demo import demo_intermediaries_load
from tongban.org.demo import demo_org_load
from tongban.payments.demo import demo_payments_load
from tongban.sharing.demo import demo_registries_load
from tongban.supervision.inspection_demo import demo_inspections_load


class Command(BaseCommand):
    help = "Load the demo province: organisations, staff, applicants and the catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="create whatever part of the demo is missing")
        load.add_argument(
            "--if-empty", action="store_true", help="do nothing if the database has any user"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("数据库已有数据，跳过演示数据加载。")
            return
        with transaction.atomic():
            org = demo_org_load()
            identity = demo_identity_load()
            # The 法人库 before the business accounts: each authorization is checked there.
            demo_registries_load()
            business = demo_business_accounts_load()
            staff = demo_staff_load()
            catalog = demo_catalog_load()
            sharing = demo_sharing_all_load()
            certificates = demo_certificates_all_load()
            hotline = demo_hotline_load()
            halls = demo_appointments_load()
            points = demo_service_points_load()
            payments = demo_payments_load()
            credit = demo_credit_load()
            inspections = demo_inspections_load()
            market = demo_intermediaries_load()
            activity = demo_activity_load()
        self.stdout.write(f"组织机构：{org}")
        self.stdout.write(f"事项库：{catalog}")
        self.stdout.write(f"数据共享：{sharing}")
        self.stdout.write(f"电子证照：{certificates}")
        self.stdout.write(f"12345 热线：{hotline}")
        self.stdout.write(f"预约与叫号：{halls}")
        self.stdout.write(f"乡镇、村便民服务点：{points}")
        self.stdout.write(f"统一网上支付：{payments}")
        self.stdout.write(f"信用：{credit}；双随机抽查与审管联动：{inspections}")
        self.stdout.write(f"中介服务超市与公共资源交易：{market}")
        self.stdout.write(f"演示办件（近六个月，南京）：{activity}")
        self.stdout.write(
            f"个人用户：{', '.join(identity['citizens'])}；"
            f"法人用户：{', '.join(business['business_accounts'])}"
        )
        self.stdout.write(f"工作人员：{', '.join(s.username for s in staff)}")
        self.stdout.write(f"演示密码均为 {STAFF_PASSWORD}")
