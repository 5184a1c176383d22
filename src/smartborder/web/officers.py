"""Officers' pages: the work queue, a consignment with the reasons it was selected, and the form
that records what an inspection found."""

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from smartborder.api.deps import Service, service
from smartborder.api.models import OutcomeIn
from smartborder.intake.validate import CONTROL_TYPES, FINDING_KINDS, OUTCOME_RESULTS
from smartborder.risk.lanes import LANES, RFI
from smartborder.service.accounts import Principal
from smartborder.service.inspections import QUEUE_LANES, Inspection, QueueFilter, detail, offices, queue, record_outcome
from smartborder.web.common import PageExit, PageRoute, customs, field_errors, is_htmx, number, page, problem

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PER_PAGE = 50
ALL_LANES = (*reversed(LANES), RFI)  # most severe first, then requests for information
ConsignmentId = Path(ge=1, le=2**62)
# The record's fields as the consignment page groups them; the rest is shown under "Other".
RECORD_GROUPS = {
    "Consignor": ("consignor_name", "consignor_address", "consignor_country", "consignor_id", "consignor_aeo"),
    "Consignee": ("consignee_name", "consignee_address", "consignee_country", "consignee_id", "consignee_aeo"),
    "Route": ("transport_mode", "carrier", "departure_country", "transit_countries", "destination_country", "office"),
    "Dates": ("declared_date", "expected_arrival", "received_at"),
}
NOT_SHOWN = {"id", "items", "findings", "rfis", "assessments", "outcomes", "extra", "content_hash", "is_current", "intake_run_id", "source_row",
             "reference", "submitter", "version", "rfi", "quality_score"}  # fmt: skip


def _whole(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(text or default), low), high)
    except ValueError:
        return default


def _share(text: str | None) -> float:
    try:
        value = float(text or 0)
    except ValueError:
        return 0.0
    return min(max(value, 0.0), 1.0) if value == value else 0.0


@router.get("/queue")
def work_queue(request: Request, who: Principal = Depends(customs), svc: Service = Depends(service)):
    """The queue; its filters and pages fetch only the table (with htmx) when asked by htmx."""
    args = request.query_params
    chosen = tuple(lane for lane in ALL_LANES if lane in args.getlist("lane"))
    lanes = chosen if chosen or args.get("f") else QUEUE_LANES  # f: the filter form was sent (and may have no lane ticked)
    office = args.get("office") or None
    min_risk = _share(args.get("min_risk"))
    inspected = args.get("inspected") == "1"
    current = _whole(args.get("page"), 1, 1, 100_000)
    total, rows = queue(svc.engine, who, QueueFilter(lanes, office, min_risk, inspected), (current - 1) * PER_PAGE, PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    query = [("f", "1"), *(("lane", lane) for lane in lanes)] + [(k, v) for k, v in (("office", office), ("min_risk", args.get("min_risk")),
                                                                          ("inspected", "1" if inspected else None)) if v]  # fmt: skip

    def link(number: int) -> str:
        return "/queue?" + urlencode([*query, ("page", number)])

    context = {"rows": rows, "total": total, "page_no": current, "pages": pages, "link": link, "lanes": lanes, "all_lanes": ALL_LANES,
               "office": office, "offices": offices(svc.engine, who), "min_risk": min_risk, "inspected": inspected, "first": (current - 1) * PER_PAGE}  # fmt: skip
    return page(request, "_queue_table.html" if is_htmx(request) else "queue.html", context)


def _consignment(svc: Service, who: Principal, request: Request, consignment_id: int) -> dict:
    found = detail(svc.engine, who, consignment_id)
    if found is None:
        raise PageExit(problem(request, 404, "Not found", f"There is no consignment {consignment_id} in your administration."))
    return found


def _record(found: dict) -> tuple[dict, dict]:
    groups = {title: [(name, found.get(name)) for name in names] for title, names in RECORD_GROUPS.items()}
    grouped = {name for names in RECORD_GROUPS.values() for name in names}
    other = {name: value for name, value in found.items() if name not in grouped and name not in NOT_SHOWN and value not in (None, "")}
    return groups, other


def _form_context(found: dict, values: dict | None = None, errors: dict | None = None, recorded: dict | None = None) -> dict:
    return {"c": found, "values": values or {"control_type": "physical"}, "errors": errors or {}, "recorded": recorded,
            "results": OUTCOME_RESULTS, "control_types": CONTROL_TYPES, "finding_kinds": FINDING_KINDS}  # fmt: skip


@router.get("/consignments/{consignment_id}")
def consignment(request: Request, consignment_id: int = ConsignmentId, who: Principal = Depends(customs), svc: Service = Depends(service)):
    found = _consignment(svc, who, request, consignment_id)
    groups, other = _record(found)
    just = request.query_params.get("recorded")  # after a plain (not htmx) form post
    recorded = next((o for o in found["outcomes"] if str(o["id"]) == just), None)
    return page(request, "consignment.html", {**_form_context(found, recorded=recorded), "groups": groups, "other": other})


def _inspection(form: dict) -> tuple[Inspection | None, dict[str, str]]:
    """The form's inspection, or the errors per field (the API's OutcomeIn checks each value)."""
    errors: dict[str, str] = {}
    values = {
        "result": form.get("result") or None, "control_type": form.get("control_type") or None, "finding_kind": form.get("finding_kind") or None,
        "extra_duty": number(form, "extra_duty", errors), "quantity_seized": number(form, "quantity_seized", errors),
        "inspected_at": form.get("inspected_at") or None, "note": (form.get("note") or "").strip() or None,
    }  # fmt: skip
    try:
        checked = OutcomeIn(**values)
    except ValidationError as e:
        errors = field_errors(e) | errors
        checked = None
    if errors or checked is None:
        return None, errors
    return Inspection(**checked.model_dump()), {}


@router.post("/consignments/{consignment_id}/outcomes")
async def outcome(request: Request, consignment_id: int = ConsignmentId, who: Principal = Depends(customs), svc: Service = Depends(service)):
    """Record an outcome; htmx gets the outcomes section again (with the confirmation, or the
    form with its errors), a plain form post the page."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    found = _consignment(svc, who, request, consignment_id)
    inspection, errors = _inspection(form)
    recorded = None
    if inspection is not None:
        recorded = record_outcome(svc.engine, who, consignment_id, inspection)
        if recorded is None:
            raise PageExit(problem(request, 404, "Not found", f"There is no consignment {consignment_id} in your administration."))
        if not is_htmx(request):
            return RedirectResponse(f"/consignments/{consignment_id}?recorded={recorded['id']}#outcomes", status_code=303)
        found = _consignment(svc, who, request, consignment_id)
    context = _form_context(found, None if recorded else form, errors, recorded)
    if is_htmx(request):
        return page(request, "_outcomes.html", context, 422 if errors else 200)
    groups, other = _record(found)
    return page(request, "consignment.html", {**context, "groups": groups, "other": other}, 422)
