# The spaces' reminders and each agent's count of a business's cases (issue 14,
# docs/performance.md "Spaces and policy matching").

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_case_fees_unpaid_fen'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status', 'supplement_requested'), models.Q(('deferred_due_on__isnull', False), ('status__in', ('submitted', 'supplement_requested', 'supplemented', 'accepted', 'under_review', 'suspended', 'decided', 'delivered'))), _connector='OR'), fields=['applicant_entity', '-received_at'], name='case_entity_reminder'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status', 'supplement_requested'), models.Q(('deferred_due_on__isnull', False), ('status__in', ('submitted', 'supplement_requested', 'supplemented', 'accepted', 'under_review', 'suspended', 'decided', 'delivered'))), _connector='OR'), fields=['applicant_person', '-received_at'], name='case_person_reminder'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['applicant_entity', 'submitted_by'], name='case_entity_submitter'),
        ),
    ]
