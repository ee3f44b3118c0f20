# 同城通办 and 异地代办 (issue 16, item 5): the hall that took a case in at its window.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0014_policy_grant'),
        ('org', '0003_hall_level_coordinates'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='intake_hall',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.hall', verbose_name='收件大厅'),
        ),
        migrations.AddField(
            model_name='case',
            name='cross_region',
            field=models.CharField(blank=True, choices=[('same_city', '同城通办'), ('other_place', '异地代办')], max_length=12, verbose_name='通办方式'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('cross_region', ''), _negated=True), fields=['region_path', 'received_on'], name='case_cross_region'),
        ),
    ]
