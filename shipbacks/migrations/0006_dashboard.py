# The returns dashboard: its permission, and the index its period filter uses.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('shipbacks', '0005_history_and_warehouse_staff'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='shipback',
            options={'ordering': ['-created_at'], 'permissions': [('view_dashboard', 'Can view the returns dashboard')]},
        ),
        migrations.AddIndex(
            model_name='shipback',
            index=models.Index(fields=['registered_at', 'created_at'], name='shipback_registered_idx'),
        ),
    ]
