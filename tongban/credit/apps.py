from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "tongban.credit"
    label = "credit"
    verbose_name = "信用"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tongban.core import events, scheduler
        from tongban.credit import selectors, subscribers
        from tongban.credit.models import CreditList, ListMeasure

        # The intake check caches which lists carry which measure (selectors.listed):
        # a change of a list or a measure in this process drops the cache at once.
        for model in (CreditList, ListMeasure):
            for signal in (post_save, post_delete):
                signal.connect(
                    selectors.lists_config_changed,
                    sender=model,
                    dispatch_uid=f"credit-lists-{model.__name__}-{signal is post_save}",
                )

        # 信用承诺: a 告知承诺 case's post-check settles the commitment (a failure is
        # a commitment_breach record, a list entry by rule and a lower class).
        events.subscribe(subscribers.POST_CHECK_EVENT, subscribers.on_case_post_check)

        # 企业年度报告 (1 January – 30 June): reminders to those who have not reported.
        scheduler.register(
            "credit_annual_report_reminders",
            every_seconds=86400,
            task_path="tongban.credit.tasks.annual_report_remind_sweep",
        )
        # Classes move with time alone (records age out, entries expire): daily, in batches.
        scheduler.register(
            "credit_class_recompute",
            every_seconds=86400,
            task_path="tongban.credit.tasks.class_recompute_sweep",
        )
