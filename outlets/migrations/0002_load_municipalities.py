from django.db import migrations

from outlets.municipalities import load_municipalities


def load(apps, schema_editor):
    load_municipalities(
        apps.get_model("outlets", "County"), apps.get_model("outlets", "Municipality")
    )


class Migration(migrations.Migration):
    dependencies = [("outlets", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
