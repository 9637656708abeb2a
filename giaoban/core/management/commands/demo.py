"""`giaoban demo`: load the Lào Cai 2021 scenario (once; a second run keeps the data)."""

from django.core.management.base import BaseCommand

from giaoban.orgs.demo import scenario
from giaoban.reporting import demo as reporting_demo


class Command(BaseCommand):
    help = "Load the Lào Cai 2021 demo scenario and print the demo logins."

    def handle(self, *args, **options):
        users = scenario.load()
        reporting_demo.load()
        self.stdout.write(self.style.SUCCESS("Dữ liệu mẫu Lào Cai 2021 đã sẵn sàng."))
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {scenario.DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(f"  {user.username:<14} {user.full_name}")
