"""Organisations, users, passwords and API tokens.

Passwords are hashed with argon2id; tokens are random (32 bytes) and only their SHA-256 is
stored, so neither can be read back from the store. A browser's sign-in is a token of kind
`session` kept in a cookie: one way to authenticate, whatever the client.

Who manages which accounts: an admin those of their own organisation only; an operator (role
`operator`, a user of the organisation of kind `platform` that runs the service, never of a
customs administration or a submitter) every organisation's, and only an operator creates
organisations; the command line (`who` None) is trusted like an operator. Every change of an
account or token is in the audit log of the organisation it concerns, in the transaction that
makes it. Sign-ins are throttled: per account in the store (`failed_sign_ins`, `locked_until`),
so the lock holds in every server process, and per client address in memory (AddressThrottle);
at most HASHING_SLOTS argon2 computations run at once, which bounds their memory (64 MiB each).
"""

import hashlib
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, true, update

from smartborder import codelists
from smartborder.schema import UNKNOWN_COUNTRY
from smartborder.service import audit
from smartborder.store.tables import api_tokens, organisations, users

ADMIN, OPERATOR = "admin", "operator"
ROLES = ("submitter", "officer", "analyst", ADMIN, OPERATOR)
ADMINISTRATION, SUBMITTER, PLATFORM = "administration", "submitter", "platform"
ORGANISATION_KINDS = (ADMINISTRATION, SUBMITTER, PLATFORM)
ROLES_OF_KIND = {ADMINISTRATION: ("officer", "analyst", ADMIN), SUBMITTER: ("submitter",), PLATFORM: (OPERATOR,)}
MANAGERS = {ADMINISTRATION: ADMIN, PLATFORM: OPERATOR}  # the role an organisation keeps at least one active user of
SESSION_HOURS = 12
TOKEN_PREFIX = "sb_"
FAILURES_BEFORE_LOCK = 5  # wrong passwords in a row that lock an account ...
LOCK_SECONDS, MAX_LOCK_SECONDS = 60, 3600  # ... for a minute, doubled with each further failure, an hour at most
ADDRESS_FAILURES, ADDRESS_WINDOW_SECONDS = 20, 300  # failed sign-ins from one client address within the window
HASHING_SLOTS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

_hasher = PasswordHasher()
_hashing = threading.BoundedSemaphore(HASHING_SLOTS)


class AccountError(ValueError):
    """A request about accounts that cannot be met: the message says why, `status` the HTTP answer."""

    status = 422


class NoSuchAccount(AccountError):
    status = 404


class NotAllowed(AccountError):
    status = 403


class LastManager(AccountError):
    status = 409


class SignInThrottled(AccountError):
    """Too many failed sign-ins: no sign-in for `retry_after` seconds, even with the right password."""

    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class AccountConflict(AccountError):
    """The request clashes with what exists (a country another administration covers)."""

    status = 409


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
    with _hashing:
        return _hasher.hash(password)


def _password_matches(password_hash: str, password: str) -> bool:
    with _hashing:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_organisation(engine: Engine, code: str, name: str, kind: str, countries: tuple[str, ...] = (), who: Principal | None = None) -> Organisation:
    """A new organisation, made by `who` (None: the command line) and audited in its own log. An
    administration's countries are ISO 3166 codes that no other administration covers, so that each
    consignment has exactly one administration to assess it (AccountConflict, naming the country
    and the administration that has it, otherwise)."""
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
        audit.record(conn, who, "organisation.create", f"organisation:{code}", {"name": name, "kind": kind, "countries": countries}, new_id)
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


def _in_scope(who: Principal | None):
    """The users `who` manages: everyone for the command line and an operator, an admin's own organisation's, otherwise oneself."""
    if who is None or who.role == OPERATOR:
        return true()
    if who.role == ADMIN:
        return users.c.organisation_id == who.organisation.id
    return users.c.id == who.user_id


def _unknown(what: str, who: Principal | None) -> str:
    return what + (" in your organisation" if who is not None and who.role == ADMIN else "")


def create_user(engine: Engine, organisation_id: int, username: str, display_name: str, role: str, password: str | None,
                who: Principal | None = None) -> int:  # fmt: skip
    """A new user of an organisation, made by `who` (an admin in their own organisation, an operator, or the command line)."""
    if role not in ROLES:
        raise AccountError(f"role: '{role}' is not one of {', '.join(ROLES)}")
    if who is not None and not (who.role == OPERATOR or (who.role == ADMIN and who.organisation.id == organisation_id)):
        raise NotAllowed("organisation: an admin makes users of their own organisation only")
    password_hash = hash_password(password) if password else None
    with engine.begin() as conn:
        kind = conn.execute(select(organisations.c.kind).where(organisations.c.id == organisation_id)).scalar_one_or_none()
        if kind is None:
            raise AccountError(f"organisation_id: no organisation {organisation_id}")
        if role not in ROLES_OF_KIND[kind]:
            raise AccountError(f"role: a {kind} organisation's users cannot have the role '{role}'")
        if conn.execute(select(users.c.id).where(users.c.username == username)).first():
            raise AccountError(f"username: '{username}' is already taken")
        user_id = conn.execute(
            insert(users).values(organisation_id=organisation_id, username=username, display_name=display_name, role=role,
                                 password_hash=password_hash, active=True, created_at=datetime.now(UTC))
            .returning(users.c.id)
        ).scalar_one()  # fmt: skip
        audit.record(conn, who, "user.create", f"user:{username}", {"role": role, "password": password_hash is not None}, organisation_id)
    return user_id


def list_users(engine: Engine, organisation_id: int | None = None) -> list[dict]:
    query = select(users.c.id, users.c.username, users.c.display_name, users.c.role, users.c.active, organisations.c.code.label("organisation"))
    query = query.join(organisations, organisations.c.id == users.c.organisation_id).order_by(users.c.username)
    if organisation_id is not None:
        query = query.where(users.c.organisation_id == organisation_id)
    with engine.connect() as conn:
        return [row._asdict() for row in conn.execute(query)]


def user_by_name(engine: Engine, username: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(users.c.id, users.c.organisation_id, users.c.role, users.c.active).where(users.c.username == username)).first()
    return row._asdict() if row else None


def set_user(engine: Engine, user_id: int, active: bool | None = None, password: str | None = None, role: str | None = None,
             who: Principal | None = None) -> None:  # fmt: skip
    """Deactivate or reactivate a user, give them another role or a new password (which also unlocks the account); a new
    password or deactivation revokes all their tokens. An organisation's last active admin (operator, on the platform) stays."""
    password_hash = hash_password(password) if password else None
    with engine.begin() as conn:
        query = select(users.c.username, users.c.organisation_id, users.c.role, users.c.active, organisations.c.kind)
        user = conn.execute(query.join(organisations, organisations.c.id == users.c.organisation_id)
                            .where(users.c.id == user_id, _in_scope(who)).with_for_update(of=users)).first()  # fmt: skip
        if user is None:
            raise NoSuchAccount(_unknown(f"user_id: no user {user_id}", who))
        if role is not None and role not in ROLES_OF_KIND[user.kind]:
            raise AccountError(f"role: a {user.kind} organisation's users cannot have the role '{role}'")
        if active is False or (role is not None and role != user.role):
            _keep_a_manager(conn, user_id, user)
        values = {name: value for name, value in (("active", active), ("role", role)) if value is not None}
        if password_hash:
            values |= {"password_hash": password_hash, "failed_sign_ins": 0, "locked_until": None}
        conn.execute(update(users).where(users.c.id == user_id).values(**values))
        revoked = _revoke_tokens_of(conn, user_id) if password_hash or active is False else 0
        target, organisation_id = f"user:{user.username}", user.organisation_id
        if password_hash:
            audit.record(conn, who, "user.password", target, {"tokens_revoked": revoked}, organisation_id)
        if role is not None and role != user.role:
            audit.record(conn, who, "user.change", target, {"role": [user.role, role]}, organisation_id)
        if active is not None and active != user.active:
            audit.record(conn, who, "user.activate" if active else "user.deactivate", target, {"tokens_revoked": revoked}, organisation_id)


def _keep_a_manager(conn, user_id: int, user) -> None:
    """Refuse to deactivate or demote the last active admin (operator) of the user's organisation."""
    manager = MANAGERS.get(user.kind)
    if manager is None or user.role != manager or not user.active:
        return
    others = select(users.c.id).where(users.c.organisation_id == user.organisation_id, users.c.role == manager, users.c.active, users.c.id != user_id)
    if not conn.execute(others.with_for_update()).first():
        raise LastManager(f"user_id: {user.username} is the last active {manager} of their organisation; make another {manager} first")


def _revoke_tokens_of(conn, user_id: int) -> int:
    now = datetime.now(UTC)
    return conn.execute(update(api_tokens).where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None)).values(revoked_at=now)).rowcount


def _principal_query():
    return select(users.c.id.label("user_id"), users.c.username, users.c.display_name, users.c.role, users.c.password_hash, users.c.active,
                  users.c.failed_sign_ins, users.c.locked_until, organisations
                  ).join(organisations, organisations.c.id == users.c.organisation_id)  # fmt: skip


def _principal(row) -> Principal:
    return Principal(row.user_id, row.username, row.display_name, row.role, _organisation(row))


def sign_in(engine: Engine, username: str, password: str, address: str | None = None) -> Principal | None:
    """The user, when the password is right and the account active; SignInThrottled while the account is locked."""
    with engine.connect() as conn:
        row = conn.execute(_principal_query().where(users.c.username == username)).first()
    if row is None or not row.active or not row.password_hash:
        hash_password(password)  # the same time whether or not the user exists
        return None
    wait = _seconds_locked(row.locked_until)
    if wait:
        with engine.begin() as conn:
            audit.record(conn, _principal(row), "signin.locked", f"user:{username}", {"address": address})
        raise SignInThrottled(f"username: too many wrong passwords for {username}; try again in {wait} s", wait)
    if not _password_matches(row.password_hash, password):
        _count_failure(engine, row, address)
        return None
    if row.failed_sign_ins:
        with engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == row.user_id).values(failed_sign_ins=0, locked_until=None))
    return _principal(row)


def _seconds_locked(locked_until: datetime | None) -> int:
    return max(0, int((_aware(locked_until) - datetime.now(UTC)).total_seconds()) + 1) if locked_until else 0


def _count_failure(engine: Engine, row, address: str | None) -> None:
    """One more wrong password for the account (counted in the store, atomically); locks it at FAILURES_BEFORE_LOCK."""
    who, target = _principal(row), f"user:{row.username}"
    with engine.begin() as conn:
        failures = conn.execute(update(users).where(users.c.id == row.user_id).values(failed_sign_ins=users.c.failed_sign_ins + 1)
                                .returning(users.c.failed_sign_ins)).scalar_one()  # fmt: skip
        audit.record(conn, who, "signin.failed", target, {"address": address, "failures": failures})
        if failures >= FAILURES_BEFORE_LOCK:
            seconds = min(MAX_LOCK_SECONDS, LOCK_SECONDS * 2 ** (failures - FAILURES_BEFORE_LOCK))
            until = datetime.now(UTC) + timedelta(seconds=seconds)
            conn.execute(update(users).where(users.c.id == row.user_id).values(locked_until=until))
            audit.record(conn, who, "user.lock", target, {"address": address, "failures": failures, "until": until})


class AddressThrottle:
    """Failed sign-ins per client address within a sliding window, kept in this process's memory: each server process
    counts its own (the per-account lock is in the store and holds across processes)."""

    def __init__(self, limit: int = ADDRESS_FAILURES, window: float = ADDRESS_WINDOW_SECONDS):
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int:
        """Seconds until `address` may try again; 0 when it may now."""
        with self._lock:
            recent = self._recent(address, time.monotonic())
            return int(recent[0] + self.window - time.monotonic()) + 1 if len(recent) >= self.limit else 0

    def failed(self, address: str) -> None:
        with self._lock:
            now = time.monotonic()
            if len(self._failures) > 100_000:  # bounded memory: forget the addresses with no recent failure
                self._failures = {a: q for a, q in self._failures.items() if q and q[-1] > now - self.window}
            self._recent(address, now).append(now)

    def _recent(self, address: str, now: float) -> deque[float]:
        recent = self._failures.setdefault(address, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        return recent


def issue_token(engine: Engine, user_id: int, name: str, kind: str = "api", hours: int | None = None,
                who: Principal | None = None) -> tuple[int, str]:  # fmt: skip
    """A new token for a user `who` manages (or is): (its id, the token itself, shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        user = conn.execute(select(users.c.username, users.c.organisation_id).where(users.c.id == user_id, users.c.active, _in_scope(who))).first()
        if user is None:
            raise NoSuchAccount(_unknown(f"user_id: no active user {user_id}", who))
        token_id = conn.execute(
            insert(api_tokens).values(user_id=user_id, name=name, kind=kind, token_hash=token_digest(token), prefix=token[:10],
                                      created_at=now, expires_at=now + timedelta(hours=hours) if hours else None)
            .returning(api_tokens.c.id)
        ).scalar_one()  # fmt: skip
        audit.record(conn, who, "token.issue", f"user:{user.username}", {"token_id": token_id, "name": name, "kind": kind}, user.organisation_id)
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


def list_tokens(engine: Engine, who: Principal | None = None) -> list[dict]:
    """The API tokens of the users `who` manages (their own, unless admin or operator)."""
    query = select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.kind, api_tokens.c.prefix, api_tokens.c.created_at, api_tokens.c.expires_at,
                   api_tokens.c.revoked_at, users.c.username).join(users, users.c.id == api_tokens.c.user_id)  # fmt: skip
    with engine.connect() as conn:
        return [row._asdict() for row in conn.execute(query.where(api_tokens.c.kind == "api", _in_scope(who)).order_by(api_tokens.c.id))]


def revoke_token(engine: Engine, token_id: int, who: Principal | None = None) -> None:
    """Revoke a token of a user `who` manages (or is)."""
    with engine.begin() as conn:
        token = conn.execute(select(api_tokens.c.name, users.c.username, users.c.organisation_id).join(users, users.c.id == api_tokens.c.user_id)
                             .where(api_tokens.c.id == token_id, _in_scope(who))).first()  # fmt: skip
        if token is None:
            raise NoSuchAccount(_unknown(f"token_id: no token {token_id}", who))
        conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=datetime.now(UTC)))
        audit.record(conn, who, "token.revoke", f"user:{token.username}", {"token_id": token_id, "name": token.name}, token.organisation_id)


def revoke_session(engine: Engine, token: str) -> None:
    """Sign out: the session token is revoked (and the sign-out audited)."""
    with engine.begin() as conn:
        query = select(api_tokens.c.id, api_tokens.c.user_id).where(api_tokens.c.token_hash == token_digest(token), api_tokens.c.revoked_at.is_(None))
        session = conn.execute(query).first()
        if session is None:
            return
        conn.execute(update(api_tokens).where(api_tokens.c.id == session.id).values(revoked_at=datetime.now(UTC)))
        row = conn.execute(_principal_query().where(users.c.id == session.user_id)).first()
        audit.record(conn, _principal(row), "token.revoke", f"user:{row.username}", {"token_id": session.id, "kind": "session"})
