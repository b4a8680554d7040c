"""manage.py reindex: rebuild the similarity features, document frequencies, LSH band keys and
search entries of every petition (after an upgrade that adds them, or after loading data in bulk)."""

from django.core.management.base import BaseCommand

from daiban.petitions.indexing import rebuild


class Command(BaseCommand):
    help = "重建全部信访事项的相似度特征、词频、LSH分桶和检索索引"

    def handle(self, *args, **options):
        count = rebuild(progress=lambda n: self.stdout.write(f"  {n}") if n % 20000 == 0 else None)
        self.stdout.write(self.style.SUCCESS(f"已重建 {count} 件信访事项的索引"))
