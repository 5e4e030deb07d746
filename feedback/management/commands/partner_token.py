"""Issue or revoke an API key for a partner app: `manage.py partner_token <org> <name>`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Organisation
from feedback.models import PartnerToken
from feedback.services import partner_token_create


class Command(BaseCommand):
    help = "Print a new API key for a partner organisation (shown once), or revoke keys."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The organisation's short name (slug).")
        parser.add_argument("name", help="What the key is for, e.g. 'SMS gateway'.")
        parser.add_argument("--revoke", action="store_true", help="Revoke keys with this name.")

    def handle(self, *args, organisation: str, name: str, revoke: bool, **options):
        try:
            owner = Organisation.objects.get(slug=organisation)
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation with the short name {organisation!r}.") from None
        if revoke:
            count = PartnerToken.objects.filter(
                organisation=owner, name=name, revoked_at__isnull=True
            ).update(revoked_at=timezone.now())
            self.stdout.write(f"Revoked {count} key(s).")
            return
        key, _token = partner_token_create(organisation=owner, name=name)
        self.stdout.write(key)
