"""Analysts' pages: risk profiles with their hit rates (officers read them; analysts edit, create
and retire them) and watch lists (analysts upload lists and whitelist false positives)."""

import re
from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from smartborder.api.deps import Service, service
from smartborder.api.models import WatchlistIn, WhitelistIn
from smartborder.risk.lanes import LANES
from smartborder.risk.profiles import ProfileError
from smartborder.risk.screening import DEFAULT_THRESHOLD
from smartborder.risk.watchlists import ListError
from smartborder.service import profiles as profile_service
from smartborder.service import watchlists as list_service
from smartborder.service.accounts import Principal
from smartborder.web.common import PageExit, PageRoute, analyst, customs, field_errors, number, page, problem

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ProfileId = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")  # a list's name, as in PUT /v1/watchlists/{name}
ListName = Path(pattern=f"^{NAME.pattern}$")
LIST_KINDS = ("party", "commodity", "country", "brand")
PER_PAGE = 50
NEW_PROFILE = """\
id: XXX-001
title: What the profile selects, in a few words
rationale: >-
  Why these consignments are risky, and the sources (seizures, reports) that say so.
owner: Targeting centre
expected_selection_rate: 0.001
when:
  hs_code: {prefix: ["3004"]}
  origin_country: {in: [IN, CN]}
effect: {lane: yellow, weight: 0.3}
"""


# --- profiles -------------------------------------------------------------------------------------------------------------------------


@router.get("/profiles")
def profiles(request: Request, who: Principal = Depends(customs), svc: Service = Depends(service)):
    problems = svc.contexts.get(who.organisation).problems
    try:
        rows, error = profile_service.profiles(svc.engine, svc.workspace(who), who, problems), None
    except ProfileError as e:  # a file edited by hand outside the service
        rows, error = [], f"A profile file cannot be read: {e}"
    done = {k: request.query_params.get(k) for k in ("retired", "saved")}
    return page(request, "profiles.html", {"rows": rows, "error": error, "done": done, "problems": list(problems.values())})


def _editor(request: Request, profile_id: str | None, text: str, status: str, error: str | None = None, code: int = 200, stats: dict | None = None):
    return page(request, "profile.html", {"profile_id": profile_id, "text": text, "status": status, "error": error, "stats": stats,
                                          "saved": request.query_params.get("saved") == "1"}, code)  # fmt: skip


def _statistics(svc: Service, who: Principal, profile_id: str) -> dict | None:
    try:
        problems = svc.contexts.get(who.organisation).problems
        return next((p for p in profile_service.profiles(svc.engine, svc.workspace(who), who, problems) if p["id"] == profile_id), None)
    except ProfileError:
        return None


@router.get("/profiles/new")
def new_profile(request: Request, who: Principal = Depends(analyst)):
    return _editor(request, None, NEW_PROFILE, "new")


@router.post("/profiles/new")
async def create_profile(request: Request, who: Principal = Depends(analyst), svc: Service = Depends(service)):
    text = str((await request.form()).get("yaml") or "")
    try:
        made = profile_service.save_profile(svc.engine, svc.workspace(who), svc.contexts, who, text)
    except (ProfileError, ListError, FileExistsError) as e:
        return _editor(request, None, text, "new", str(e), 422)
    return RedirectResponse(f"/profiles/{quote(made.id)}?saved=1", status_code=303)


@router.get("/profiles/{profile_id}")
def profile(request: Request, profile_id: str = ProfileId, who: Principal = Depends(customs), svc: Service = Depends(service)):
    try:
        found = profile_service.profile_text(svc.workspace(who), profile_id)
    except ProfileError as e:  # a file edited by hand outside the service
        raise PageExit(problem(request, 422, "A profile file cannot be read", str(e))) from None
    if found is None:
        raise PageExit(problem(request, 404, "Not found", f"There is no profile '{profile_id}'."))
    return _editor(request, profile_id, found[0], found[1], stats=_statistics(svc, who, profile_id))


@router.post("/profiles/{profile_id}")
async def edit_profile(request: Request, profile_id: str = ProfileId, who: Principal = Depends(analyst), svc: Service = Depends(service)):
    text = str((await request.form()).get("yaml") or "")
    try:
        profile_service.save_profile(svc.engine, svc.workspace(who), svc.contexts, who, text, profile_id)
    except (ProfileError, ListError) as e:
        return _editor(request, profile_id, text, "active", str(e), 422, _statistics(svc, who, profile_id))
    except LookupError as e:
        raise PageExit(problem(request, 404, "Not found", str(e))) from None
    return RedirectResponse(f"/profiles/{quote(profile_id)}?saved=1", status_code=303)


@router.post("/profiles/{profile_id}/retire")
def retire_profile(request: Request, profile_id: str = ProfileId, who: Principal = Depends(analyst), svc: Service = Depends(service)):
    try:
        profile_service.retire_profile(svc.engine, svc.workspace(who), who, profile_id)
    except LookupError as e:
        raise PageExit(problem(request, 404, "Not found", str(e))) from None
    except ProfileError as e:
        raise PageExit(problem(request, 422, "A profile file cannot be read", str(e))) from None
    return RedirectResponse(f"/profiles?retired={quote(profile_id)}", status_code=303)


# --- watch lists ----------------------------------------------------------------------------------------------------------------------


def _lists_page(request: Request, who: Principal, svc: Service, values: dict | None = None, errors: dict | None = None, code: int = 200):
    context = {"lists": list_service.watchlists(svc.workspace(who)), "kinds": LIST_KINDS, "lanes": LANES, "errors": errors or {},
               "values": values or {"kind": "party", "date": date.today().isoformat(), "weight": "0", "threshold": str(DEFAULT_THRESHOLD)}}  # fmt: skip
    return page(request, "watchlists.html", context, code)


@router.get("/watchlists")
def watchlists(request: Request, who: Principal = Depends(customs), svc: Service = Depends(service)):
    return _lists_page(request, who, svc)


@router.post("/watchlists")
async def upload(request: Request, who: Principal = Depends(analyst), svc: Service = Depends(service)):
    """Add a list or replace one, as PUT /v1/watchlists/{name} does."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    errors: dict[str, str] = {}
    name = values.get("name", "").strip()
    sent = form.get("file")
    content = ""
    if sent is None or isinstance(sent, str) or not sent.filename:
        errors["file"] = "choose a CSV file"
    else:
        try:
            content = (await sent.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            errors["file"] = "the file is not UTF-8 text"
        if not content.strip() and "file" not in errors:
            errors["file"] = "the file is empty"
    weight, threshold = number(values, "weight", errors), number(values, "threshold", errors)
    if not NAME.fullmatch(name):
        errors["name"] = "1 to 100 lower-case letters, digits, '-' and '_', starting with a letter or digit"
    try:
        body = WatchlistIn(kind=values.get("kind") or None, source=values.get("source", "").strip(), date=values.get("date") or None,
                           content=content or "-", lane=values.get("lane") or None, weight=0.0 if weight is None else weight, threshold=threshold)  # fmt: skip
        spec = body.spec(name)
    except ValidationError as e:
        errors = field_errors(e) | errors
    if errors:
        return _lists_page(request, who, svc, values, errors, 422)
    try:
        list_service.upload(svc.engine, svc.workspace(who), who, spec, content)
    except ListError as e:
        return _lists_page(request, who, svc, values, {"form": str(e)}, 422)
    return RedirectResponse(f"/watchlists/{name}?uploaded=1", status_code=303)


def _list_page(request: Request, who: Principal, svc: Service, name: str, values: dict | None = None, errors: dict | None = None, code: int = 200):
    space = svc.workspace(who)
    spec = next((w for w in list_service.watchlists(space) if w["name"] == name), None)
    if spec is None:
        raise PageExit(problem(request, 404, "Not found", f"There is no watch list '{name}'."))
    try:
        current = min(max(int(request.query_params.get("page") or 1), 1), 100_000)
    except ValueError:
        current = 1
    total, rows = list_service.entries(space, name, (current - 1) * PER_PAGE, PER_PAGE)
    context = {"spec": spec, "rows": rows, "columns": list(rows[0]) if rows else [], "total": total, "page_no": current,
               "pages": max(1, -(-total // PER_PAGE)), "link": lambda n: f"/watchlists/{name}?page={n}", "first": (current - 1) * PER_PAGE, "whitelist": list_service.whitelist(space, name),
               "values": values or {}, "errors": errors or {}, "done": {k: request.query_params.get(k) for k in ("uploaded", "added")}}  # fmt: skip
    return page(request, "watchlist.html", context, code)


@router.get("/watchlists/{name}")
def watchlist(request: Request, name: str = ListName, who: Principal = Depends(customs), svc: Service = Depends(service)):
    return _list_page(request, who, svc, name)


@router.post("/watchlists/{name}/whitelist")
async def add_to_whitelist(request: Request, name: str = ListName, who: Principal = Depends(analyst), svc: Service = Depends(service)):
    values = {k: v.strip() for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        body = WhitelistIn(entry_id=values.get("entry_id", ""), name=values.get("name", ""), note=values.get("note", ""))
    except ValidationError as e:
        return _list_page(request, who, svc, name, values, field_errors(e), 422)
    try:
        list_service.add_to_whitelist(svc.engine, svc.workspace(who), who, name, body.entry_id, body.name, body.note)
    except ListError as e:
        return _list_page(request, who, svc, name, values, {"form": str(e)}, 422)
    except LookupError as e:
        raise PageExit(problem(request, 404, "Not found", str(e))) from None
    return RedirectResponse(f"/watchlists/{name}?added=1#whitelist", status_code=303)
