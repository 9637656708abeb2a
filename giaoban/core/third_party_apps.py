"""The third-party apps giaoban installs (django-axes, django-otp), under names in our catalogue:
theirs show in the admin in English ("Axes", "Otp_Totp", "TOTP device"). Listed in
INSTALLED_APPS in their place."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticAppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpAppConfig


def _name_models(app_config: AppConfig, names: dict) -> None:
    """Translatable names for a third-party app's models, which show in the admin in English
    only. `_meta` is changed, not the models' Meta, so migrations see nothing."""
    for model_name, (singular, plural) in names.items():
        meta = app_config.get_model(model_name)._meta
        meta.verbose_name, meta.verbose_name_plural = singular, plural


class AxesConfig(AxesAppConfig):
    """django-axes (lock-out after failed logins), with names in our catalogue."""

    verbose_name = _("Login lock-outs")

    def ready(self):
        super().ready()
        _name_models(
            self,
            {
                "accessattempt": (_("failed login attempt"), _("failed login attempts")),
                "accessfailurelog": (_("failed login"), _("failed logins")),
                "accesslog": (_("login record"), _("login records")),
                "accessattemptexpiration": (
                    _("lock-out expiry"),
                    _("lock-out expiries"),
                ),
            },
        )


class TotpConfig(TotpAppConfig):
    """django-otp's authenticator-app devices (two-factor login)."""

    verbose_name = _("Two-factor login: authenticator apps")

    def ready(self):
        super().ready()
        _name_models(self, {"totpdevice": (_("authenticator app"), _("authenticator apps"))})


class StaticConfig(StaticAppConfig):
    """django-otp's one-time recovery codes (two-factor login)."""

    verbose_name = _("Two-factor login: recovery codes")

    def ready(self):
        super().ready()
        _name_models(
            self,
            {
                "staticdevice": (_("set of recovery codes"), _("sets of recovery codes")),
                "statictoken": (_("recovery code"), _("recovery codes")),
            },
        )
