"""manage.py audit_verify: recompute the audit trail's SM3 chain and report the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from daiban.audit import chain


class Command(BaseCommand):
    help = "校验安全审计记录的SM3哈希链，报告第一处断裂（有则以非零状态退出）"

    def handle(self, *args, **options):
        checked, broken = chain.verify()
        if broken is not None:
            raise CommandError(f"审计记录第 {broken.seq} 条校验失败：{broken.reason}（此前 {checked} 条完好）")
        seq, digest = chain.head()
        self.stdout.write(f"审计记录完好：共 {checked} 条，哈希链连续。最后一条：第 {seq} 条，SM3 {digest}")
        self.stdout.write("请将最后一条的序号和哈希另行记录（如打印存档），以便日后发现末尾记录被截去。")
