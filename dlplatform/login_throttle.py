"""Slows password guessing: after LOGIN_FAILURES_ALLOWED failures for one username from one
address, that pair is refused for LOGIN_LOCKOUT_S seconds (counted in the shared cache)."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError


def _key(request, username: str) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request else ""
    return f"login-failures:{address}:{username.lower()}"


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        key = _key(self.request, username)
        if cache.get(key, 0) >= settings.LOGIN_FAILURES_ALLOWED:
            minutes = max(1, settings.LOGIN_LOCKOUT_S // 60)
            raise ValidationError(
                f"Too many failed attempts for this account. Try again in {minutes} minutes.",
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError:
            cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_S)
            cache.incr(key)
            raise
