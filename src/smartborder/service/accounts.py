"""Organisations, users, passwords and API tokens.

Passwords are hashed with argon2id; tokens are random (32 bytes) and only their SHA-256 is
stored, so neither can be read back from the store. A browser's sign-in is a token of kind
`session` kept in a cookie: one way to authenticate, whatever the client.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update

from smartborder import codelists
from smartborder.schema import UNKNOWN_COUNTRY
from smartborder.store.tables import api_tokens, organisations, users

ROLES = ("submitter", "officer", "analyst", "admin")
ADMINISTRATION, SUBMITTER = "administration", "submitter"
ORGANISATION_KINDS = (ADMINISTRATION, SUBMITTER)
SESSION_HOURS = 12
TOKEN_PREFIX = "sb_"

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about accounts that cannot be met: the message says why."""


class AccountConflict(AccountError):
    """The request clashes with what exists (a country another administration covers)."""


@dataclass(frozen=True)
class Organisation:
    id: int
    code: str
    name: str
    kind: str
    countries: tuple[str, ...]  # an administration's countries of destination


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user of one organisation, with one role."""

    user_id: int
    username: str
    display_name: str
    role: str
    organisation: Organisation

    @property
    def is_customs(self) -> bool:
        return self.organisation.kind == ADMINISTRATION


def _organisation(row) -> Organisation:
    return Organisation(row.id, row.code, row.name, row.kind, tuple((row.countries or "").split()))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_organisation(engine: Engine, code: str, name: str, kind: str, countries: tuple[str, ...] = ()) -> Organisation:
    """A new organisation. An administration's countries are ISO 3166 codes that no other
    administration covers, so that each consignment has exactly one administration to assess it
    (AccountConflict, naming the country and the administration that has it, otherwise)."""
    if kind not in ORGANISATION_KINDS:
        raise AccountError(f"kind: '{kind}' is not one of {', '.join(ORGANISATION_KINDS)}")
    if kind == ADMINISTRATION and not countries:
        raise AccountError("countries: an administration needs at least one country of destination")
    if kind != ADMINISTRATION and countries:
        raise AccountError("countries: only an administration has countries of destination")
    unknown = [c for c in countries if c not in codelists.countries() or c == UNKNOWN_COUNTRY]
    if unknown:
        raise AccountError(f"countries: '{unknown[0]}' is not an ISO 3166 country code an administration can cover")
    countries = tuple(dict.fromkeys(countries))
    with engine.begin() as conn:
        taken = conn.execute(select(organisations.c.code).where((organisations.c.code == code) | (organisations.c.name == name))).first()
        if taken:
            raise AccountError(f"code/name: an organisation '{code}' or '{name}' already exists")
        for other in conn.execute(select(organisations).where(organisations.c.kind == ADMINISTRATION)):
            shared = [c for c in countries if c in _organisation(other).countries]
            if shared:
                raise AccountConflict(f"countries: '{shared[0]}' is covered by the administration '{other.code}' already")
        new_id = conn.execute(
            insert(organisations).values(code=code, name=name, kind=kind, countries=" ".join(countries) or None, created_at=datetime.now(UTC))
            .returning(organisations.c.id)
        ).scalar_one()  # fmt: skip
    return Organisation(new_id, code, name, kind, countries)


def list_organisations(engine: Engine) -> list[Organisation]:
    with engine.connect() as conn:
        return [_organisation(row) for row in conn.execute(select(organisations).order_by(organisations.c.code))]


def organisation_by_code(engine: Engine, code: str) -> Organisation | None:
    with engine.connect() as conn:
        row = conn.execute(select(organisations).where(organisations.c.code == code)).first()
    return _organisation(row) if row else None


def administrations(engine: Engine) -> list[Organisation]:
    return [o for o in list_organisations(engine) if o.kind == ADMINISTRATION]


def create_user(engine: Engine, organisation_id: int, username: str, display_name: str, role: str, password: str | None) -> int:
    if role not in ROLES:
        raise AccountError(f"role: '{role}' is not one of {', '.join(ROLES)}")
    with engine.begin() as conn:
        kind = conn.execute(select(organisations.c.kind).where(organisations.c.id == organisation_id)).scalar_one_or_none()
        if kind is None:
            raise AccountError(f"organisation_id: no organisation {organisation_id}")
        if (role == "submitter") != (kind == SUBMITTER):
            raise AccountError(f"role: a {kind} organisation's users cannot have the role '{role}'")
        if conn.execute(select(users.c.id).where(users.c.username == username)).first():
            raise AccountError(f"username: '{username}' is already taken")
        return conn.execute(
            insert(users).values(organisation_id=organisation_id, username=username, display_name=display_name, role=role,
                                 password_hash=hash_password(password) if password else None, active=True, created_at=datetime.now(UTC))
            .returning(users.c.id)
        ).scalar_one()  # fmt: skip


def list_users(engine: Engine, organisation_id: int | None = None) -> list[dict]:
    query = select(users.c.id, users.c.username, users.c.display_name, users.c.role, users.c.active, organisations.c.code.label("organisation"))
    query = query.join(organisations, organisations.c.id == users.c.organisation_id).order_by(users.c.username)
    if organisation_id is not None:
        query = query.where(users.c.organisation_id == organisation_id)
    with engine.connect() as conn:
        return [row._asdict() for row in conn.execute(query)]


def set_user(engine: Engine, user_id: int, active: bool | None = None, password: str | None = None) -> None:
    values = {k: v for k, v in (("active", active), ("password_hash", hash_password(password) if password else None)) if v is not None}
    with engine.begin() as conn:
        if conn.execute(update(users).where(users.c.id == user_id).values(**values)).rowcount == 0:
            raise AccountError(f"user_id: no user {user_id}")
        if active is False:  # a deactivated user's tokens stop working at once
            conn.execute(update(api_tokens).where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None)).values(revoked_at=datetime.now(UTC)))


def _principal_query():
    return select(users.c.id.label("user_id"), users.c.username, users.c.display_name, users.c.role, users.c.password_hash, users.c.active,
                  organisations).join(organisations, organisations.c.id == users.c.organisation_id)  # fmt: skip


def _principal(row) -> Principal:
    return Principal(row.user_id, row.username, row.display_name, row.role, _organisation(row))


def sign_in(engine: Engine, username: str, password: str) -> Principal | None:
    """The user, when the password is right and the account active."""
    with engine.connect() as conn:
        row = conn.execute(_principal_query().where(users.c.username == username)).first()
    if row is None or not row.active or not row.password_hash:
        _hasher.hash(password)  # the same time whether or not the user exists
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return _principal(row)


def issue_token(engine: Engine, user_id: int, name: str, kind: str = "api", hours: int | None = None) -> tuple[int, str]:
    """A new token for the user: (its id, the token itself, shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if conn.execute(select(users.c.id).where(users.c.id == user_id, users.c.active)).first() is None:
            raise AccountError(f"user_id: no active user {user_id}")
        token_id = conn.execute(
            insert(api_tokens).values(user_id=user_id, name=name, kind=kind, token_hash=token_digest(token), prefix=token[:10],
                                      created_at=now, expires_at=now + timedelta(hours=hours) if hours else None)
            .returning(api_tokens.c.id)
        ).scalar_one()  # fmt: skip
    return token_id, token


def principal_for_token(engine: Engine, token: str) -> Principal | None:
    """The active user a token belongs to, unless it is revoked or expired."""
    query = _principal_query().add_columns(api_tokens.c.expires_at, api_tokens.c.revoked_at).join(api_tokens, api_tokens.c.user_id == users.c.id)
    with engine.connect() as conn:
        row = conn.execute(query.where(api_tokens.c.token_hash == token_digest(token))).first()
    if row is None or not row.active or row.revoked_at is not None:
        return None
    if row.expires_at is not None and _aware(row.expires_at) < datetime.now(UTC):
        return None
    return _principal(row)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive date-times; every date-time the store holds is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def list_tokens(engine: Engine, user_id: int | None = None) -> list[dict]:
    query = select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.kind, api_tokens.c.prefix, api_tokens.c.created_at, api_tokens.c.expires_at,
                   api_tokens.c.revoked_at, users.c.username).join(users, users.c.id == api_tokens.c.user_id).where(api_tokens.c.kind == "api")  # fmt: skip
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    with engine.connect() as conn:
        return [row._asdict() for row in conn.execute(query.order_by(api_tokens.c.id))]


def revoke_token(engine: Engine, token_id: int, user_id: int | None = None) -> None:
    """Revoke a token (of `user_id` only, when given)."""
    condition = api_tokens.c.id == token_id
    if user_id is not None:
        condition &= api_tokens.c.user_id == user_id
    with engine.begin() as conn:
        if conn.execute(update(api_tokens).where(condition).values(revoked_at=datetime.now(UTC))).rowcount == 0:
            raise AccountError(f"token_id: no token {token_id}")


def revoke_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(api_tokens).where(api_tokens.c.token_hash == token_digest(token)).values(revoked_at=datetime.now(UTC)))
