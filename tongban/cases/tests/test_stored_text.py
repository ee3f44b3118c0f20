"""Rows stored before the input boundary (issue 9 #1) are shown again.

Only a JSON column of SQLite ever held one: the JSON text keeps it escaped
(``\\ud800``), and reading it back gives a string Python cannot encode. A text
column cannot bind it at all, and PostgreSQL's jsonb refuses the escape, as
the last test shows."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.db import DataError, connection, transaction
from django.test import Client

from tongban.cases.models import Case
from tongban.cases.tests.test_services import submit
from tongban.core.text import scrub

BROKEN = "a\ud800b\x07"
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="only SQLite stores a lone surrogate"
)


def test_scrub_replaces_surrogates_and_drops_controls_everywhere():
    assert scrub(BROKEN) == "a\ufffdb"
    assert scrub({"k\udc00": [BROKEN, 1, None], "ok": "张伟\t\n"}) == {
        "k\ufffd": ["a\ufffdb", 1, None],
        "ok": "张伟\t\n",
    }
    assert scrub("😀") == "😀"  # a real pair is a character, not two surrogates


@sqlite_only
def test_the_migration_makes_a_broken_case_page_show_again(world):
    case = submit(world)
    Case.objects.filter(pk=case.pk).update(form_data={"applicant_name": BROKEN})
    clerk = Client(raise_request_exception=False)
    clerk.force_login(world.clerk)
    page = f"/workbench/cases/{case.case_no}/"
    assert clerk.get(page).status_code == 500  # the probe's finding

    import_module("tongban.cases.migrations.0009_scrub_stored_text").scrub_text(apps, None)

    case.refresh_from_db()
    assert case.form_data == {"applicant_name": "a\ufffdb"}
    assert clerk.get(page).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own refusal")
def test_postgresql_never_stores_a_lone_surrogate(world):
    case = submit(world)
    with pytest.raises((DataError, UnicodeEncodeError)), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(form_data={"applicant_name": BROKEN})
