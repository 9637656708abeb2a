"""`giaoban token create USERNAME` issues an API token; `giaoban token list USERNAME` shows a
user's tokens; `giaoban token revoke TOKEN` ends one, named by the token or a start of it."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from giaoban.core import services
from giaoban.core.errors import ApplicationError


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


class Command(BaseCommand):
    help = "Create, list or revoke API tokens (Authorization: Bearer <token>)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token for a user; it is shown once.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        create.add_argument("--days", type=int, default=None, help="Expire after this many days.")
        listing = actions.add_parser("list", help="A user's tokens: prefix, name, dates.")
        listing.add_argument("username")
        revoke = actions.add_parser(
            "revoke", help="Revoke one token: the whole token, or gb_ and at least 6 characters."
        )
        revoke.add_argument("token")

    def handle(self, *args, action, **options):
        try:
            if action == "create":
                token, raw = services.token_create(
                    username=options["username"], name=options["name"], days=options["days"]
                )
                self.stdout.write(raw)  # alone on stdout, for scripts
                self.stderr.write(f"Tiền tố: gb_{token.prefix} (thu hồi: giaoban token revoke …)")
            elif action == "list":
                self._list(services.token_list(username=options["username"]))
            else:
                token = services.token_revoke(start=options["token"])
                self.stdout.write(f"Đã thu hồi mã gb_{token.prefix} ({token.name or '—'}).")
        except ApplicationError as exc:
            raise CommandError(exc.message) from None

    def _list(self, tokens) -> None:
        now = timezone.now()
        self.stdout.write("tiền tố\ttên\ttạo lúc\tdùng lần cuối\thết hạn\ttình trạng")
        for token in tokens:
            if token.revoked_at:
                state = f"đã thu hồi {_when(token.revoked_at)}"
            elif token.expires_at and token.expires_at <= now:
                state = "đã hết hạn"
            else:
                state = "dùng được"
            cells = [
                f"gb_{token.prefix}",
                token.name or "—",
                _when(token.created_at),
                _when(token.last_used_at),
                _when(token.expires_at),
                state,
            ]
            self.stdout.write("\t".join(cells))
