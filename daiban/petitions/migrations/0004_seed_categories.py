from django.db import migrations

CATEGORIES = ["土地管理", "征地拆迁补偿", "不动产登记", "矿产资源", "林草", "国土空间规划", "地质灾害", "测绘地理信息", "其他"]


def seed(apps, schema_editor):
    Category = apps.get_model("petitions", "Category")
    for order, name in enumerate(CATEGORIES):
        Category.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_categories")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
