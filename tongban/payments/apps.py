from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tongban.payments"
    label = "payments"
    verbose_name = "统一网上支付"

    def ready(self) -> None:
        from tongban.cases.services.results import fee_assessor_register
        from tongban.core import events, scheduler
        from tongban.payments import subscribers
        from tongban.payments.services.orders import case_assess

        # Cases ask for the fees due when they accept (cases.services.results).
        fee_assessor_register(case_assess)
        # Fees due at submission, and cases decided at once (即办件, 告知承诺),
        # get their order from the cases' events (subscribers.py).
        for event, handler in subscribers.HANDLERS.items():
            events.subscribe(event, handler)
        # A callback may never come: pending orders are asked about.
        scheduler.register(
            "payments_query_pending",
            every_seconds=300,
            task_path="tongban.payments.tasks.payments_query_pending",
        )
        scheduler.register(
            "payments_expire_overdue",
            every_seconds=3600,
            task_path="tongban.payments.tasks.payments_expire_overdue",
        )
        # 电子监察: overdue unpaid orders are marked once for the supervision desk.
        scheduler.register(
            "payments_alert_unpaid",
            every_seconds=3600,
            task_path="tongban.payments.tasks.payments_alert_unpaid",
        )
        # The simulated provider's outgoing callbacks (demo and tests).
        scheduler.register(
            "payments_sim_callbacks",
            every_seconds=10,
            task_path="tongban.payments.tasks.payments_sim_callbacks",
        )
