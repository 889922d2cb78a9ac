"""API tokens: named, revocable keys a learner uses from scripts and the CLI.

Only a SHA-256 hash of each key is stored, so a leaked database (or backup) gives nobody a
usable key. The services in accounts/tokens.py create, check and revoke them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=60, help_text="The learner's label, e.g. 'laptop'.")
    # The key's first characters, stored in clear so lists can tell tokens apart; far too
    # short to guess the rest from.
    prefix = models.CharField(max_length=16)
    # SHA-256 (hex) of the key. A fast hash is right here, unlike for passwords: the key is
    # 32 random bytes (256 bits), so there is no dictionary to try and brute force over the
    # key space is hopeless however fast the hash; a slow hash (PBKDF2, Argon2) would only
    # make every API request slower. Being deterministic, it lets us find a token by its
    # hash with one indexed lookup instead of comparing against every stored token.
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    # Updated at most once a minute (see tokens.LAST_USED_RESOLUTION), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="Empty while active.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")

    class Meta:
        # The table this model had in the `dlplatform` app, kept by the move to `accounts`.
        db_table = "dlplatform_apitoken"
        ordering = ["-created", "-id"]
        constraints = [
            # Names tell a learner's tokens apart; a revoked token frees its name.
            models.UniqueConstraint(
                fields=["user", "name"], condition=Q(revoked_at__isnull=True),
                name="apitoken_unique_active_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
