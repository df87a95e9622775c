from django.db import migrations


def create_default_brand(apps, schema_editor):
    Brand = apps.get_model("catalog", "Brand")
    if not Brand.objects.filter(is_default=True).exists():
        Brand.objects.create(name="default", reference="default", is_default=True)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_default_brand, migrations.RunPython.noop)]
