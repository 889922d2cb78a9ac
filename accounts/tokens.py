"""API token services: the only code that makes, checks or revokes an ApiToken.

A key looks like `dlp_<43 url-safe characters>`: the `dlp_` prefix lets people (and secret
scanners) recognise a leaked key. The plain key exists only in create_token's return value;
the database keeps its SHA-256 hash (see ApiToken.key_hash for why that hash is enough).
Keys of the former rest_framework.authtoken (40 hex characters, without the prefix) were
carried over by migration 0002 and are checked the same way.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import ApiToken

KEY_PREFIX = "dlp_"
# Shown in lists: the fixed prefix plus 8 random characters (48 of the key's 256 bits).
DISPLAY_PREFIX_LENGTH = len(KEY_PREFIX) + 8
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
# last_used_at is a hint for the learner ("used 3 minutes ago"), not an audit log: writing
# it at most once a minute spares the database a write on every API request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# No real key is longer; refusing longer input spares hashing and a query for garbage.
_MAX_KEY_LENGTH = 128


class InvalidTokenName(ValueError):
    """The name is empty, too long or already used by another of the user's active tokens."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(
    user: AbstractBaseUser, name: str, *, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token and its plain key: the only moment the key exists in clear, so the caller
    must hand it to the learner now; it cannot be recovered later."""
    name = _valid_name(user, name)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():  # a lost race on the name must not spoil the caller's
            token = ApiToken.objects.create(
                user=user, name=name, prefix=key[:DISPLAY_PREFIX_LENGTH], key_hash=hash_key(key),
                expires_at=expires_at,
            )
    except IntegrityError as exc:  # another request took the name since _valid_name
        raise InvalidTokenName(_taken(name)) from exc
    return token, key


def create_token_named_after(user: AbstractBaseUser, base: str) -> tuple[ApiToken, str]:
    """A token named `base`, or `base-2`, `base-3`… when taken: each CLI login gets its own
    token (revocable on its own) without the learner having to invent a name."""
    taken = set(active_tokens(user).values_list("name", flat=True))
    number = 1
    while True:
        name = base if number == 1 else f"{base}-{number}"
        number += 1
        if name in taken:
            continue
        try:
            return create_token(user, name)
        except InvalidTokenName:
            if number > len(taken) + 10:  # not a race we keep losing: a real error
                raise


def active_tokens(user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The user's tokens that are not revoked, newest first (expired ones included, so the
    learner sees them and can revoke them to free their names)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def revoke_token(user: AbstractBaseUser, token_id: int) -> ApiToken | None:
    """Revoke one of the user's active tokens; None when there is no such token of theirs
    (another user's id is treated like a missing one, so ids reveal nothing)."""
    token = active_tokens(user).filter(pk=token_id).first()
    if token is None:
        return None
    revoke_tokens(ApiToken.objects.filter(pk=token.pk))
    token.refresh_from_db()
    return token


def revoke_tokens(tokens: QuerySet[ApiToken]) -> int:
    """Revoke every active token of the queryset (the admin's bulk action); how many."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def find_active_token(key: str) -> ApiToken | None:
    """The active, unexpired token of an active user whose key this is, else None.

    Constant-time safe: the key is never compared with stored data; its hash is looked up.
    Any timing difference of that lookup depends on the hash, which an attacker cannot steer
    towards a stored hash without already knowing a key.
    """
    if not key or len(key) > _MAX_KEY_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or token.is_expired or not token.user.is_active:
        return None
    _note_use(token, timezone.now())
    return token


def authenticate_key(key: str) -> AbstractBaseUser | None:
    """The user a key authenticates, or None: for callers that need no token details (the
    event stream). DRF's ApiTokenAuthentication uses find_active_token, the same check."""
    token = find_active_token(key)
    return token.user if token else None


def _note_use(token: ApiToken, now: datetime) -> None:
    stale = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    # Conditional, so concurrent requests of one token write it once, not once each.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)
    ).update(last_used_at=now)
    token.last_used_at = now


def _valid_name(user: AbstractBaseUser, name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidTokenName("Give the token a name, e.g. the machine that will use it.")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidTokenName(
            f"Ensure this name has at most {NAME_MAX_LENGTH} characters (it has {len(name)})."
        )
    if active_tokens(user).filter(name=name).exists():
        raise InvalidTokenName(_taken(name))
    return name


def _taken(name: str) -> str:
    return f"You already have a token named “{name}”; choose another name or revoke that one."
