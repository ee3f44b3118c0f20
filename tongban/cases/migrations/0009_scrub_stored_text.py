"""Make rows stored before the input boundary (issue 9 #1) showable again.

Only JSON columns could hold a lone surrogate (SQLite keeps the escape; see
``tongban.core.text``): the case forms, the history details, the guides.
"""

from django.db import migrations


def scrub_text(apps, schema_editor):
    from tongban.core.text import scrub_rows

    scrub_rows(apps.get_model("cases", "Case"), ["form_data"])
    scrub_rows(apps.get_model("cases", "CaseEvent"), ["details"])
    scrub_rows(apps.get_model("catalog", "GuideVersion"), ["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_tracking_code"),
        ("catalog", "0003_promised_unit"),
    ]

    operations = [migrations.RunPython(scrub_text, migrations.RunPython.noop)]
