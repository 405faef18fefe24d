from django.apps import AppConfig


class BanwardConfig(AppConfig):
    name = "banward_django"
    verbose_name = "banward"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from . import checks  # noqa: F401  (registers the system checks)
        from .reporting import on_user_login_failed

        user_login_failed.connect(on_user_login_failed, dispatch_uid="banward_django.report")
