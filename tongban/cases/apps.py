from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from tongban.cases.services.policy_grants import (
            on_legal_entity_registered,
            on_policy_granted,
            on_policy_matched,
        )
        from tongban.cases.services.recount import on_calendar_changed
        from tongban.core import events, idempotency, scheduler
        from tongban.core.services import CALENDAR_CHANGED
        from tongban.identity.services.persons import LEGAL_ENTITY_REGISTERED
        from tongban.policies.services import GRANTED_EVENT, MATCHED_EVENT

        # A submission claims its Idempotency-Key in its own transaction (issue 12).
        idempotency.handled_in_view("POST", r"/api/v1/cases")

        # 免申即享 (issue 14): a policy granted without an application is a case.
        events.subscribe(GRANTED_EVENT, on_policy_granted)
        # … and a grant made before the business was known gets its case when
        # it becomes known, or when the policy is matched again.
        events.subscribe(LEGAL_ENTITY_REGISTERED, on_legal_entity_registered)
        events.subscribe(MATCHED_EVENT, on_policy_matched)

        # ADR-0006: dates counted on a provisional year are recounted when its
        # notice is imported or one of its days corrected …
        events.subscribe(CALENDAR_CHANGED, on_calendar_changed)
        # … or when a newer chinese_calendar release carries the notice.
        scheduler.register(
            "cases_recount_provisional",
            every_seconds=3600,
            task_path="tongban.cases.tasks.cases_recount_provisional_sweep",
        )

        # 行政许可法 第三十二条: an application not answered within five working days
        # counts as accepted on receipt; the scheduler records it.
        scheduler.register(
            "cases_deem_accept",
            every_seconds=600,
            task_path="tongban.cases.tasks.cases_deem_accept_sweep",
        )
