# The post-check lists and the overdue scan filter on status and due date.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0015_case_intake_hall'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='postcheck',
            index=models.Index(fields=['status', 'due_on'], name='postcheck_status_due'),
        ),
    ]
