"""`giaoban token create USERNAME` issues an API token; `giaoban token revoke PREFIX` ends one."""

from django.core.management.base import BaseCommand, CommandError

from giaoban.core import services
from giaoban.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create or revoke API tokens (Authorization: Bearer <token>)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token for a user; it is shown once.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        create.add_argument("--days", type=int, default=None, help="Expire after this many days.")
        revoke = actions.add_parser("revoke", help="Revoke the token(s) with this prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        try:
            if action == "create":
                _token, raw = services.token_create(
                    username=options["username"], name=options["name"], days=options["days"]
                )
                self.stdout.write(raw)
                return
            count = services.token_revoke(prefix=options["prefix"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if not count:
            raise CommandError(f"Không có mã truy cập nào bắt đầu bằng “{options['prefix']}”.")
        self.stdout.write(f"Đã thu hồi {count} mã truy cập.")
