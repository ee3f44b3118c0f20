"""A message kept for the inbox only gets its own state (issue 14, item 5).

Until now such a message was stored as ``sent`` with the gateway
``inbox-only`` although nothing was sent; those rows become ``inbox_only``,
with no gateway and no time of sending.
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Notification = apps.get_model("core", "Notification")
    Notification.objects.filter(status="sent", gateway="inbox-only").update(
        status="inbox_only", gateway="", sent_at=None
    )


def backwards(apps, schema_editor):
    Notification = apps.get_model("core", "Notification")
    for row in Notification.objects.filter(status="inbox_only").only("pk", "created_at"):
        Notification.objects.filter(pk=row.pk).update(
            status="sent", gateway="inbox-only", sent_at=row.created_at
        )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_draw_record'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='status',
            field=models.CharField(choices=[('pending', '待发送'), ('sent', '已发送'), ('failed', '发送失败（等待重试）'), ('dead', '发送失败（已放弃）'), ('inbox_only', '未发送（仅存站内信）')], default='pending', max_length=16, verbose_name='状态'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
