from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "tongban.credit"
    label = "credit"
    verbose_name = "信用"

    def ready(self) -> None:
        from tongban.core import scheduler

        # 企业年度报告 (1 January – 30 June): reminders to those who have not reported.
        scheduler.register(
            "credit_annual_report_reminders",
            every_seconds=86400,
            task_path="tongban.credit.tasks.annual_report_remind_sweep",
        )
