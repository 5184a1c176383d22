"""Signing in and out: a session token (the same tokens as the API's) in an HttpOnly,
SameSite=Strict cookie. Sign-ins are throttled like the API's (429 with Retry-After)."""

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from smartborder.api.deps import SESSION_COOKIE, Service, client_address, service
from smartborder.api.models import SignInIn
from smartborder.service import accounts
from smartborder.service.accounts import SESSION_HOURS
from smartborder.web.common import PageRoute, page, session_token

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _local(target: str | None) -> str:
    """Where to go after signing in: a path of this site only."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target and target != "/signin":
        return target
    return "/queue"


@router.get("/")
def home():
    return RedirectResponse("/queue", status_code=303)


@router.get("/signin")
def sign_in_form(request: Request, next: str | None = None, svc: Service = Depends(service)):
    token = session_token(request)
    if token and svc.principal(token):
        return RedirectResponse(_local(next), status_code=303)
    return page(request, "signin.html", {"next": _local(next), "username": "", "error": None})


@router.post("/signin")
async def sign_in(request: Request, svc: Service = Depends(service)):
    form = await request.form()
    username, password = str(form.get("username") or "").strip(), str(form.get("password") or "")
    target = _local(str(form.get("next") or ""))
    try:  # hashing a password takes a while: off the event loop
        credible = username and password and _could_be_credentials(username, password)
        who = await run_in_threadpool(svc.sign_in, username, password, client_address(request)) if credible else None
    except accounts.SignInThrottled as e:
        answer = page(request, "signin.html", {"next": target, "username": username,
                                               "error": f"Too many failed sign-ins. Try again in {e.retry_after} seconds."}, 429)  # fmt: skip
        answer.headers["Retry-After"] = str(e.retry_after)
        return answer
    if who is None:
        message = "Wrong user name or password, or the account is inactive." if username and password else "Enter your user name and password."
        return page(request, "signin.html", {"next": target, "username": username, "error": message}, 401)
    _, token = accounts.issue_token(svc.engine, who.user_id, "web sign-in", "session", SESSION_HOURS, who)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")  # fmt: skip
    return response


def _could_be_credentials(username: str, password: str) -> bool:
    """Whether the form's values pass the API's SignInIn (a NUL, say, cannot be in a user name)."""
    try:
        SignInIn(username=username, password=password)
    except ValidationError:
        return False
    return True


@router.post("/signout")
def sign_out(request: Request, svc: Service = Depends(service)):
    token = session_token(request)
    if token:
        accounts.revoke_session(svc.engine, token)
        svc.forget_tokens(token)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
