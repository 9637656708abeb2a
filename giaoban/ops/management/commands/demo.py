"""`giaoban demo`: load the Lào Cai 2021 scenario (once; a second run keeps the data)."""

from django.core.management.base import BaseCommand

from giaoban.documents import demo as documents_demo
from giaoban.followup import demo as followup_demo
from giaoban.meetings import demo as meetings_demo
from giaoban.orgs.demo import scenario
from giaoban.reporting import demo as reporting_demo


class Command(BaseCommand):
    help = "Load the Lào Cai 2021 demo scenario and print the demo logins."

    def handle(self, *args, **options):
        users = scenario.load()
        reporting_demo.load()
        meetings_demo.load()
        followup_demo.load()
        documents_demo.load()
        self.stdout.write(self.style.SUCCESS("Dữ liệu mẫu Lào Cai 2021 đã sẵn sàng."))
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {scenario.DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(f"  {user.username:<20} {user.full_name}")
        self.stdout.write("Kỹ thuật viên điểm cầu của hội nghị ngày 08/10/2021 (cùng mật khẩu):")
        for code, login in meetings_demo.OPERATOR_LOGINS.items():
            self.stdout.write(f"  {login:<20} {meetings_demo.point_label(code)}")
