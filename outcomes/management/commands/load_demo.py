from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from consult import demo as consult_demo


class Command(BaseCommand):
    help = "Load demo content (organisations, staff of each role). Safe to run twice."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo content is for DEBUG=true only; it uses a known password.")
        with transaction.atomic():
            accounts = accounts_demo.load()
            consultations = consult_demo.load(
                organisation=accounts["organisation"], partner=accounts["partner"]
            )
        self.stdout.write(
            self.style.SUCCESS(f"Demo content loaded: {len(consultations)} consultations.")
        )
        self.stdout.write("Staff sign-in: http://127.0.0.1:8000/en/staff/sign-in/")
        self.stdout.write(f"Password for every demo login: {accounts_demo.DEMO_PASSWORD}")
        for email, role in accounts["logins"]:
            self.stdout.write(f"  {email:38} {role}")
