from django.core.management.base import BaseCommand

from returns_portal.services import api_token_issue


class Command(BaseCommand):
    help = "Issue an API token for an integrator (created if new). The token is printed once."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the integrator's name")
        parser.add_argument("--label", default="", help="what this token is for")

    def handle(self, *args, name, label, **options):
        token, raw = api_token_issue(integrator_name=name, label=label)
        self.stderr.write(
            f"Token {token.prefix}… issued for {token.integrator.name}. "
            "It is shown once; store it now."
        )
        # The last line of output is the token alone, for scripts.
        self.stdout.write(raw)
