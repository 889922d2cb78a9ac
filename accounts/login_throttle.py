"""Slows password guessing: one lockout per account, shared by every way to log in.

After LOGIN_FAILURES_ALLOWED wrong passwords for one username within LOGIN_LOCKOUT_S, from
any address and through the login form or the token endpoint alike, the account is locked
for LOGIN_LOCKOUT_S: no way in, even with the right password, until the lock expires. The
count is per account, not per (account, address): an attacker changes addresses cheaply
(or, before DLP_TRUSTED_PROXIES, just a header). The price is that a guesser can keep an
account locked; its owner waits out the lock or uses an API token they already have.

Counters live in the shared cache, so every web process sees the same lock.
"""

import math
import time

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError


class AccountLocked(Exception):
    """Too many failed logins for this account; `retry_after_s` until it may try again."""

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        minutes = max(1, math.ceil(retry_after_s / 60))
        wait = "a minute" if minutes == 1 else f"{minutes} minutes"
        super().__init__(f"Too many failed attempts for this account. Try again in {wait}.")


def client_address(request) -> str:
    """The client's address: the socket's, or with DLP_TRUSTED_PROXIES = N proxies in
    front, the address the nearest of them saw (N-th entry from the right of
    X-Forwarded-For). Entries further left are the client's to write, never trusted.
    The same rule as DRF's throttles under NUM_PROXIES (set from the same setting)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    return hops[-min(proxies, len(hops))] or remote


def _account(username: str) -> str:
    return username.strip().lower()


def _failures_key(username: str) -> str:
    return f"login-failures:{_account(username)}"


def _locked_until_key(username: str) -> str:
    return f"login-locked-until:{_account(username)}"


def check_not_locked(username: str) -> None:
    """Raise AccountLocked while the account is locked."""
    locked_until = cache.get(_locked_until_key(username))
    if locked_until is None:
        return
    remaining = locked_until - time.time()
    if remaining > 0:
        raise AccountLocked(math.ceil(remaining))


def note_failure(username: str) -> None:
    """Count a wrong password; the failure that reaches the limit locks the account."""
    key = _failures_key(username)
    cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_S)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the window's first failure
        cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_S)
        failures = 1
    if failures >= settings.LOGIN_FAILURES_ALLOWED:
        cache.set(_locked_until_key(username), time.time() + settings.LOGIN_LOCKOUT_S,
                  timeout=settings.LOGIN_LOCKOUT_S)
        cache.delete(key)  # a fresh count once the lock expires


def note_success(username: str) -> None:
    cache.delete(_failures_key(username))


def authenticate_or_lock(request, username: str, password: str):
    """The user these credentials belong to, or None; AccountLocked, without checking the
    password, while the account is locked. Counts the failure when there is one."""
    check_not_locked(username)
    user = authenticate(request, username=username, password=password)
    if user is None:
        note_failure(username)
    else:
        note_success(username)
    return user


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, under the shared per-account lockout."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        try:
            check_not_locked(username)
        except AccountLocked as exc:
            raise ValidationError(str(exc), code="throttled") from exc
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                note_failure(username)
            raise
        note_success(username)
        return cleaned
