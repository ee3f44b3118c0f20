# New draws publish their candidate list as a snapshot file named by its SHA-256
# (core.draws); rows drawn before keep their list in the JSON column.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_idempotency_headers_withheld'),
    ]

    operations = [
        migrations.AddField(
            model_name='drawrecord',
            name='candidates_count',
            field=models.IntegerField(blank=True, null=True, verbose_name='候选数'),
        ),
        migrations.AddField(
            model_name='drawrecord',
            name='candidates_sha256',
            field=models.CharField(blank=True, max_length=64, verbose_name='候选名单文件摘要（SHA-256）'),
        ),
        migrations.AddField(
            model_name='drawrecord',
            name='candidates_size',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='候选名单文件大小（字节）'),
        ),
    ]
