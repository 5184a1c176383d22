"""What every page needs: the templates (autoescaped), who is signed in (the session cookie) and
whether their role may see the page, and answers that end a request early (a redirect to sign
in, a 403 or 404 page) without an application-wide exception handler. Every form post (every
method but GET, HEAD, OPTIONS) must come from this site's own pages: its Origin, or without one
its Referer, names this host; otherwise a 403 page, and nothing is done (CSRF)."""

from collections.abc import Callable
from datetime import date, datetime
from importlib.resources import files
from urllib.parse import quote

import jinja2
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from smartborder.api.deps import CUSTOMS, SAFE_METHODS, SESSION_COOKIE, Service, from_this_site, service
from smartborder.risk.lanes import MEANING
from smartborder.service.accounts import ADMIN, OPERATOR, Principal

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _number(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}".replace(",", "\u202f")  # a narrow no-break space between thousands


def _quantity(value) -> str:
    """A quantity: whole numbers without decimals, others with up to three."""
    if value is None:
        return "–"
    return _number(value) if float(value).is_integer() else f"{value:,.3f}".rstrip("0").replace(",", "\u202f")


def _percent(value, digits: int = 0) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}\u00a0%"


def _moment(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "–" if value is None else str(value)


def _duration(seconds) -> str:
    if seconds is None:
        return "–"
    for limit, unit, size in ((120, "s", 1), (7200, "min", 60), (172_800, "h", 3600)):
        if seconds < limit:
            return f"{seconds / size:.0f}\u00a0{unit}"
    return f"{seconds / 86_400:.1f}\u00a0days"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(files("smartborder.web").joinpath("templates"))), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)  # fmt: skip
    env.filters.update(num=_number, qty=_quantity, pct=_percent, moment=_moment, duration=_duration)
    env.globals.update(meaning=MEANING)
    return env


templates = Jinja2Templates(env=_environment())


class PageExit(Exception):
    """Ends a request with `response` (raised by the page dependencies)."""

    def __init__(self, response: Response):
        self.response = response


def page(request: Request, name: str, context: dict | None = None, status: int = 200, who: Principal | None = None) -> HTMLResponse:
    context = {"who": who or getattr(request.state, "who", None), **(context or {})}
    return templates.TemplateResponse(request, name, context, status_code=status)


def is_htmx(request: Request) -> bool:
    """An htmx request for a fragment (a history restore wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def problem(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return page(request, "problem.html", {"status": status, "title": title, "message": message}, status)


class PageRoute(APIRoute):
    """A page: PageExit answers with its response; a path or query that cannot be read is a 404
    (or 400) page, not JSON; a form posted from another site is a 403 page; every answer carries
    the security headers."""

    def get_route_handler(self) -> Callable:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                if request.method not in SAFE_METHODS and not from_this_site(request):
                    raise PageExit(problem(request, 403, "Refused: the form came from another site",
                                           "This change was not sent from smartborder's own pages, so it was not made. "
                                           "Open the page in smartborder and send the form again."))  # fmt: skip
                response = await handle(request)
            except PageExit as done:
                response = done.response
            except RequestValidationError as e:  # raised before the page's dependencies ran: who is asking is not known yet
                token = session_token(request)
                request.state.who = request.app.state.service.principal(token) if token else None
                in_path = any(error.get("loc", ("",))[0] == "path" for error in e.errors())
                response = problem(request, 404, "Not found", "There is no such page.") if in_path else \
                    problem(request, 400, "Bad request", "The address holds a value that cannot be read.")  # fmt: skip
            response.headers.update(SECURITY_HEADERS)
            response.headers["Vary"] = "HX-Request, Cookie"
            return response

        return handler


def _to_sign_in(request: Request) -> Response:
    target = "/signin"
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method == "GET" and here not in ("/", "/queue"):
        target += "?next=" + quote(here, safe="")
    if is_htmx(request):  # htmx follows a redirect itself; HX-Redirect makes the browser go there
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def signed_in(request: Request, svc: Service = Depends(service)) -> Principal:
    token = session_token(request)
    who = svc.principal(token) if token else None
    if who is None:
        raise PageExit(_to_sign_in(request))
    request.state.who = who
    return who


def customs(request: Request, who: Principal = Depends(signed_in)) -> Principal:
    """An officer or analyst of a customs administration; other roles get a 403 page."""
    if who.role in (ADMIN, OPERATOR):
        raise PageExit(page(request, "admin.html", status=403))
    if who.role not in CUSTOMS or not who.is_customs:
        raise PageExit(problem(request, 403, "Not for your role",
                               f"These pages are for customs officers and analysts; you are signed in as a {who.role}. "
                               "Submitters use the API (/v1/submissions)."))  # fmt: skip
    return who


def analyst(request: Request, who: Principal = Depends(customs)) -> Principal:
    if who.role != "analyst":
        raise PageExit(problem(request, 403, "Analysts only", "Changing profiles and watch lists takes the analyst role; you are an officer."))
    return who


def field_errors(error: ValidationError, names: dict[str, str] | None = None) -> dict[str, str]:
    """Pydantic's errors as one plain message per form field."""
    found: dict[str, str] = {}
    for e in error.errors():
        field = str(e["loc"][0]) if e["loc"] else "form"
        field = (names or {}).get(field, field)
        ctx = e.get("ctx") or {}
        match e["type"]:
            case "greater_than_equal":
                message = f"must be {ctx['ge']} or more"
            case "less_than_equal":
                message = f"must be {ctx['le']:g} or less" if isinstance(ctx["le"], float | int) else f"must be {ctx['le']} or earlier"
            case "literal_error":
                message = "choose one of the options"
            case "missing":
                message = "this is needed"
            case "string_too_short":
                message = "this is needed"
            case "string_too_long":
                message = f"at most {ctx['max_length']} characters"
            case t if t.startswith("date"):
                message = "not a date (YYYY-MM-DD)"
            case "string_pattern_mismatch":
                message = "lower-case letters, digits, '-' and '_' only, starting with a letter or digit"
            case _:
                message = e["msg"]
        found.setdefault(field, message)
    return found


def number(form: dict, name: str, errors: dict[str, str]) -> float | None:
    """A form's number field: None when empty; an error when it is not a number."""
    text = (form.get(name) or "").strip().replace("\u202f", "").replace(" ", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        errors[name] = f"'{text}' is not a number"
        return None
