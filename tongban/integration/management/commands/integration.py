"""``tongban integration register`` a department system, ``webhook-add`` an endpoint to it.

    tongban integration register nj_food_system --name 南京市食品经营许可审批系统 \
        --department 11320100MB0000000X
    tongban token create nj_food_system --name 审批系统
    tongban integration webhook-add nj_food_system https://food.nanjing.example/hook \
        [--event case.accept --event case.decide]

The webhook's signing secret is printed once (it is kept encrypted).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.errors import DomainError
from tongban.integration.models import DepartmentSystem
from tongban.integration.services import department_system_register, webhook_endpoint_add
from tongban.org.models import Department


class Command(BaseCommand):
    help = "Department systems of the integration API: register one, add a webhook endpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        register = sub.add_parser("register", help="a system account scoped to one department")
        register.add_argument("username")
        register.add_argument("--name", required=True, help="系统名称")
        register.add_argument(
            "--department", required=True, help="the department's 统一社会信用代码 or id"
        )
        hook = sub.add_parser("webhook-add", help="an endpoint; prints its secret once")
        hook.add_argument("username")
        hook.add_argument("url")
        hook.add_argument("--event", action="append", default=[], help="only this event")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "register":
                self._register(options)
            else:
                self._webhook_add(options)
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.detail}") from None

    def _register(self, options: dict[str, Any]) -> None:
        key = str(options["department"]).strip()
        found = Department.objects.filter(credit_code=key.upper())
        if key.isdigit():
            found = found | Department.objects.filter(pk=int(key))
        department = found.first()
        if department is None:
            raise CommandError(f"部门不存在：{key}")
        system = department_system_register(
            name=options["name"], username=options["username"], department=department
        )
        self.stdout.write(
            f"已登记 {system.name}（账号 {system.user.username}，{department.name}）。"
            f"用 `tongban token create {system.user.username}` 为它创建访问令牌。"
        )

    def _webhook_add(self, options: dict[str, Any]) -> None:
        system = DepartmentSystem.objects.filter(user__username=options["username"]).first()
        if system is None:
            raise CommandError(f"不是已登记的部门业务系统：{options['username']}")
        endpoint, secret = webhook_endpoint_add(
            system=system, url=options["url"], events_wanted=options["event"]
        )
        self.stdout.write(secret)
        self.stderr.write(
            f"已为 {system.name} 添加推送地址 {endpoint.url}。签名密钥只显示这一次，请妥善保存。"
        )
