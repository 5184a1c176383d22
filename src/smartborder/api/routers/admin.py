"""Accounts: organisations, users and API tokens. An admin manages the users and tokens of their
own organisation; an operator (the platform's) every organisation's, and only an operator creates
organisations. Any user may make and revoke their own tokens and sign in for one; sign-ins are
throttled (429 with Retry-After)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request

from smartborder.api.deps import Paging, Service, client_address, paging, principal, role, service
from smartborder.api.models import (AuditOut, NewTokenOut, OrganisationIn, OrganisationOut, SignInIn, TokenIn, TokenOut, UserIn, UserOut, UserPatch,
                                   problems)  # fmt: skip
from smartborder.service import accounts, audit
from smartborder.service.accounts import OPERATOR, SESSION_HOURS, Principal

router = APIRouter(prefix="/v1", tags=["admin"], responses=problems(401, 403, 422))
admin = role("admin", OPERATOR)
operator = role(OPERATOR)
Id = Annotated[int, Path(ge=1, le=2**62)]


@contextmanager
def _answered() -> Iterator[None]:
    """An account request that cannot be met answers with its status (404, 403, 409, 429 ...) and reason."""
    try:
        yield
    except accounts.SignInThrottled as e:
        raise HTTPException(e.status, str(e), headers={"Retry-After": str(e.retry_after)}) from None
    except accounts.AccountError as e:
        raise HTTPException(e.status, str(e)) from None


def _organisation_scope(who: Principal) -> int | None:
    """The organisation whose accounts `who` sees: an admin's own, every one (None) for an operator."""
    return None if who.role == OPERATOR else who.organisation.id


@router.get("/organisations", response_model=list[OrganisationOut])
def organisations(who: Principal = Depends(admin), svc: Service = Depends(service)):
    """Every organisation for an operator; an admin's own."""
    return [vars(o) for o in accounts.list_organisations(svc.engine) if _organisation_scope(who) in (None, o.id)]


@router.post("/organisations", response_model=OrganisationOut, status_code=201, responses=problems(409))
def create_organisation(body: OrganisationIn, who: Principal = Depends(operator), svc: Service = Depends(service)):
    return vars(accounts.create_organisation(svc.engine, body.code, body.name, body.kind, tuple(body.countries), who))


@router.get("/users", response_model=list[UserOut])
def users(who: Principal = Depends(admin), svc: Service = Depends(service)):
    return accounts.list_users(svc.engine, _organisation_scope(who))


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, who: Principal = Depends(admin), svc: Service = Depends(service)):
    organisation = accounts.organisation_by_code(svc.engine, body.organisation)
    if organisation is None:
        raise HTTPException(422, f"organisation: no organisation '{body.organisation}'")
    with _answered():
        user_id = accounts.create_user(svc.engine, organisation.id, body.username, body.display_name, body.role, body.password, who)
    return next(u for u in accounts.list_users(svc.engine, organisation.id) if u["id"] == user_id)


@router.patch("/users/{user_id}", response_model=UserOut, responses=problems(404, 409))
def change_user(body: UserPatch, user_id: Id, who: Principal = Depends(admin), svc: Service = Depends(service)):
    """Deactivate or reactivate a user, change their role, or set a new password (a new password or deactivation revokes
    their tokens); the last active admin of an organisation stays one (409)."""
    if body.active is None and body.password is None and body.role is None:
        raise HTTPException(422, "active, password, role: give at least one of them")
    with _answered():
        accounts.set_user(svc.engine, user_id, body.active, body.password, body.role, who)
    svc.forget_tokens()
    return next(u for u in accounts.list_users(svc.engine) if u["id"] == user_id)


@router.get("/users/audit", response_model=list[AuditOut])
def accounts_audit(pages: Paging = Depends(paging), who: Principal = Depends(admin), svc: Service = Depends(service)):
    """The audit log of accounts, tokens and sign-ins, newest first: an admin's organisation's, every one's for an operator."""
    return audit.entries(svc.engine, _organisation_scope(who), pages.offset, pages.per_page, accounts=True)


@router.post("/auth/token", response_model=NewTokenOut, status_code=201, tags=["sign in"], responses=problems(429))
def sign_in(body: SignInIn, request: Request, svc: Service = Depends(service)):
    """A token for a user name and password, valid for 12 hours. Repeated wrong passwords lock the account for a while,
    and too many failures from one address refuse it: 429 with Retry-After, even for the right password."""
    with _answered():
        who = svc.sign_in(body.username, body.password, client_address(request))
    if who is None:
        raise HTTPException(401, "wrong user name or password, or the account is inactive")
    token_id, token = accounts.issue_token(svc.engine, who.user_id, "sign-in", "session", SESSION_HOURS, who)
    return NewTokenOut(id=token_id, token=token)


@router.get("/tokens", response_model=list[TokenOut], tags=["sign in"])
def tokens(who: Principal = Depends(principal), svc: Service = Depends(service)):
    """Your API tokens (an admin sees those of their organisation, an operator everyone's). Only a prefix of each is shown."""
    return accounts.list_tokens(svc.engine, who)


@router.post("/tokens", response_model=NewTokenOut, status_code=201, tags=["sign in"], responses=problems(404))
def create_token(body: TokenIn, who: Principal = Depends(principal), svc: Service = Depends(service)):
    """A new API token, shown once. Admins may make one for another user of their organisation, operators for anyone."""
    if body.user_id is not None and body.user_id != who.user_id and who.role not in ("admin", OPERATOR):
        raise HTTPException(403, "user_id: only an admin makes tokens for other users")
    with _answered():
        token_id, token = accounts.issue_token(svc.engine, body.user_id or who.user_id, body.name, who=who)
    return NewTokenOut(id=token_id, token=token)


@router.delete("/tokens/{token_id}", status_code=204, tags=["sign in"], responses=problems(404))
def revoke_token(token_id: Id, who: Principal = Depends(principal), svc: Service = Depends(service)):
    with _answered():
        accounts.revoke_token(svc.engine, token_id, who)
    svc.forget_tokens()
