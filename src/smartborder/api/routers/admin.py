"""Admins: organisations, users and API tokens. Any user may make and revoke their own tokens and
sign in for one."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from smartborder.api.deps import Service, principal, role, service
from smartborder.api.models import NewTokenOut, OrganisationIn, OrganisationOut, SignInIn, TokenIn, TokenOut, UserIn, UserOut, UserPatch, problems
from smartborder.service import accounts
from smartborder.service.accounts import SESSION_HOURS, Principal

router = APIRouter(prefix="/v1", tags=["admin"], responses=problems(401, 403, 422))
admin = role("admin")
Id = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/organisations", response_model=list[OrganisationOut])
def organisations(who: Principal = Depends(admin), svc: Service = Depends(service)):
    return [vars(o) for o in accounts.list_organisations(svc.engine)]


@router.post("/organisations", response_model=OrganisationOut, status_code=201, responses=problems(409))
def create_organisation(body: OrganisationIn, who: Principal = Depends(admin), svc: Service = Depends(service)):
    return vars(accounts.create_organisation(svc.engine, body.code, body.name, body.kind, tuple(body.countries)))


@router.get("/users", response_model=list[UserOut])
def users(who: Principal = Depends(admin), svc: Service = Depends(service)):
    return accounts.list_users(svc.engine)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, who: Principal = Depends(admin), svc: Service = Depends(service)):
    organisation = accounts.organisation_by_code(svc.engine, body.organisation)
    if organisation is None:
        raise HTTPException(422, f"organisation: no organisation '{body.organisation}'")
    user_id = accounts.create_user(svc.engine, organisation.id, body.username, body.display_name, body.role, body.password)
    return next(u for u in accounts.list_users(svc.engine, organisation.id) if u["id"] == user_id)


@router.patch("/users/{user_id}", response_model=UserOut, responses=problems(404))
def change_user(body: UserPatch, user_id: Id, who: Principal = Depends(admin), svc: Service = Depends(service)):
    """Deactivate (its tokens are revoked) or reactivate a user, or set a new password."""
    if body.active is None and body.password is None:
        raise HTTPException(422, "active, password: give at least one of them")
    try:
        accounts.set_user(svc.engine, user_id, body.active, body.password)
    except accounts.AccountError as e:
        raise HTTPException(404, str(e)) from None
    svc.forget_tokens()
    return next(u for u in accounts.list_users(svc.engine) if u["id"] == user_id)


@router.post("/auth/token", response_model=NewTokenOut, status_code=201, tags=["sign in"])
def sign_in(body: SignInIn, svc: Service = Depends(service)):
    """A token for a user name and password, valid for 12 hours."""
    who = accounts.sign_in(svc.engine, body.username, body.password)
    if who is None:
        raise HTTPException(401, "wrong user name or password, or the account is inactive")
    token_id, token = accounts.issue_token(svc.engine, who.user_id, "sign-in", "session", SESSION_HOURS)
    return NewTokenOut(id=token_id, token=token)


@router.get("/tokens", response_model=list[TokenOut], tags=["sign in"])
def tokens(who: Principal = Depends(principal), svc: Service = Depends(service)):
    """Your API tokens (an admin sees everyone's). Only a prefix of each is shown."""
    return accounts.list_tokens(svc.engine, None if who.role == "admin" else who.user_id)


@router.post("/tokens", response_model=NewTokenOut, status_code=201, tags=["sign in"])
def create_token(body: TokenIn, who: Principal = Depends(principal), svc: Service = Depends(service)):
    """A new API token, shown once. Admins may make one for another user."""
    if body.user_id is not None and body.user_id != who.user_id and who.role != "admin":
        raise HTTPException(403, "user_id: only an admin makes tokens for other users")
    token_id, token = accounts.issue_token(svc.engine, body.user_id or who.user_id, body.name)
    return NewTokenOut(id=token_id, token=token)


@router.delete("/tokens/{token_id}", status_code=204, tags=["sign in"], responses=problems(404))
def revoke_token(token_id: Id, who: Principal = Depends(principal), svc: Service = Depends(service)):
    try:
        accounts.revoke_token(svc.engine, token_id, None if who.role == "admin" else who.user_id)
    except accounts.AccountError as e:
        raise HTTPException(404, str(e)) from None
    svc.forget_tokens()
