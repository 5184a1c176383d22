"""What every request needs: the service's shared state, who is asking (an API token, or a
browser's session cookie) and whether their role allows what they ask. A state-changing request
authenticated by the session cookie must come from this site (`from_this_site`): a form another
site makes the browser send is refused, whether it targets a page or the API."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from smartborder.api.models import Page
from smartborder.config import Settings
from smartborder.service import accounts
from smartborder.service.accounts import AddressThrottle, Principal, principal_for_token
from smartborder.service.checks import Checks
from smartborder.service.submissions import Inbox
from smartborder.service.workspace import Contexts, Workspace, workspace

SESSION_COOKIE = "smartborder_session"
TOKEN_CACHE_SECONDS = 30  # a revoked token stops working at once in this process, within this time in others
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class Service:
    settings: Settings
    engine: Engine
    contexts: Contexts
    inbox: Inbox
    checks: Checks
    _tokens: dict[str, tuple[float, Principal | None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    addresses: AddressThrottle = field(default_factory=AddressThrottle)

    def sign_in(self, username: str, password: str, address: str) -> Principal | None:
        """The user for a user name and password, or None; SignInThrottled (429) while the account, or the client
        address (behind a proxy: run uvicorn with --proxy-headers so that it is the client's), has failed too often."""
        wait = self.addresses.retry_after(address)
        if wait:
            raise accounts.SignInThrottled(f"address: too many failed sign-ins from {address}; try again in {wait} s", wait)
        try:
            who = accounts.sign_in(self.engine, username, password, address)
        except accounts.SignInThrottled:
            self.addresses.failed(address)
            raise
        if who is None:
            self.addresses.failed(address)
        return who

    def principal(self, token: str) -> Principal | None:
        """The user of a token, remembered for a short while: checking is then one dict lookup."""
        now = time.monotonic()
        known = self._tokens.get(token)
        if known is None or now - known[0] > TOKEN_CACHE_SECONDS:
            with self._lock:
                if len(self._tokens) > 10_000:
                    self._tokens.clear()
                known = self._tokens[token] = (now, principal_for_token(self.engine, token))
        return known[1]

    def forget_tokens(self, token: str | None = None) -> None:
        """Forget one token (signed out), or all (a user or token changed)."""
        with self._lock:
            if token is None:
                self._tokens.clear()
            else:
                self._tokens.pop(token, None)

    def workspace(self, who: Principal) -> Workspace:
        return workspace(self.settings, who.organisation)


# The dependencies are coroutines: cheap, they run on the event loop instead of a worker thread.
async def service(request: Request) -> Service:
    return request.app.state.service


bearer = HTTPBearer(auto_error=False, description="An API token (POST /v1/tokens or /v1/auth/token)")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def from_this_site(request: Request) -> bool:
    """Whether the request's Origin (or, without one, its Referer) names this site's host and port."""
    source = request.headers.get("origin") or request.headers.get("referer")
    return bool(source) and urlsplit(source).netloc == request.url.netloc


async def principal(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    token = credentials.credentials if credentials else request.cookies.get(SESSION_COOKIE)
    if not credentials and token and request.method not in SAFE_METHODS and not from_this_site(request):
        raise HTTPException(403, "Origin: a change with the session cookie must come from this site's pages (or use an API token)")
    who = request.app.state.service.principal(token) if token else None
    if who is None:
        raise HTTPException(401, "sign in: a valid API token (Authorization: Bearer ...) or session is needed", headers={"WWW-Authenticate": "Bearer"})
    return who


def role(*allowed: str) -> Callable[..., Principal]:
    """A dependency giving the principal when their role is one of `allowed`, 403 otherwise."""

    async def check(who: Principal = Depends(principal)) -> Principal:
        if who.role not in allowed:
            raise HTTPException(403, f"this needs the role {' or '.join(allowed)}; you are {who.role}")
        return who

    return check


CUSTOMS = ("officer", "analyst")


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def of(self, total: int, items: list) -> Page:
        """This page of `total` items."""
        return Page(total=total, page=self.page, per_page=self.per_page, items=items)


async def paging(page: int = Query(1, ge=1, le=100_000), per_page: int = Query(50, ge=1, le=500)) -> Paging:
    return Paging(page, per_page)
