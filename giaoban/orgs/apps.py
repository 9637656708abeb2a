"""The registry app's configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "giaoban.orgs"
    label = "orgs"
    verbose_name = _("Registry")

    def ready(self):
        # The two-factor guard (core) asks the registry whose role requires two factors.
        from giaoban.core import twofactor
        from giaoban.orgs.access import requires_two_factor

        twofactor.required_rule_set(requires_two_factor)
