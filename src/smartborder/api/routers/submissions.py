"""Submitters: send consignments, amend them, follow their status, answer requests for
information. A submitter never sees scores, reasons or anyone else's consignments."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse

from smartborder.api.deps import Paging, Service, paging, role, service
from smartborder.api.limits import OffLoopRoute
from smartborder.api.models import AnswerIn, ConsignmentIn, Page, ReceiptOut, RfiOut, StatusOut, SubmissionIn, SubmissionOut, problems
from smartborder.service.accounts import Principal
from smartborder.service.records import submitter_status
from smartborder.service.submissions import (
    AlreadyAnswered,
    answer_rfi,
    request_count,
    requests_for_information,
    status_count,
    status_rows,
)

router = APIRouter(prefix="/v1/submissions", tags=["submitters"], responses=problems(401, 403, 413, 422), route_class=OffLoopRoute)
submitter = role("submitter")
Reference = Annotated[str, Path(min_length=1, max_length=200)]  # a NUL in any path is refused before routing (api/limits.py)


def _receipts(svc: Service, who: Principal, records: list[dict]) -> SubmissionOut:
    receipts = [ReceiptOut(**vars(o)) for o in svc.inbox.submit(who, records)]
    counts = {result: sum(r.result == result for r in receipts) for result in ("accepted", "amended", "unchanged", "rejected")}
    return SubmissionOut(**counts, consignments=receipts)


@router.post("", response_model=SubmissionOut)
def submit(body: SubmissionIn, who: Principal = Depends(submitter), svc: Service = Depends(service)):
    """Send one or more consignments (up to 1,000). Each is validated and stored on its own: the
    answer says, row by row, whether it was accepted, amended (a changed resubmission),
    unchanged or rejected (with the field, code and reason), and what happens to the goods. A
    consignment bound for a country no administration on this service covers is rejected
    (`destination_country`, `not_covered`)."""
    result = _receipts(svc, who, [c.model_dump(mode="json", exclude_none=True) for c in body.consignments])
    if result.rejected == len(result.consignments):
        return JSONResponse(status_code=422, content={"detail": result.model_dump(mode="json")["consignments"]})
    return result


@router.put("/{reference}", response_model=ReceiptOut, responses=problems(404))
def amend(body: ConsignmentIn, reference: Reference, who: Principal = Depends(submitter), svc: Service = Depends(service)):  # type: ignore[valid-type]
    """Send a new version of a consignment (the whole record); the earlier version is kept."""
    if body.reference != reference:
        raise HTTPException(422, f"reference: the body's reference '{body.reference}' is not the path's '{reference}'")
    if not status_rows(svc.engine, who, [reference]):
        raise HTTPException(404, f"no consignment '{reference}' of yours; send new ones with POST /v1/submissions")
    receipt = _receipts(svc, who, [body.model_dump(mode="json", exclude_none=True)]).consignments[0]
    if receipt.result == "rejected":
        return JSONResponse(status_code=422, content={"detail": receipt.model_dump(mode="json")})
    return receipt


def _status(row) -> StatusOut:
    return StatusOut(reference=row.reference, version=row.version, received_at=row.received_at,
                     status=submitter_status(row.lane, row.open_rfis, row.outcome), open_rfis=row.open_rfis)  # fmt: skip


@router.get("", response_model=Page[StatusOut])
def statuses(pages: Paging = Depends(paging), who: Principal = Depends(submitter), svc: Service = Depends(service)):
    """Your consignments, newest first, with what happens to each."""
    total = status_count(svc.engine, who)
    rows = status_rows(svc.engine, who, None, pages.offset, pages.per_page)
    return pages.of(total, [_status(r) for r in rows])


@router.get("/rfis", response_model=Page[RfiOut])
def rfis(open_only: bool = Query(True, alias="open"), pages: Paging = Depends(paging), who: Principal = Depends(submitter),
         svc: Service = Depends(service)):  # fmt: skip
    """Requests for information about your consignments (open ones by default)."""
    total = request_count(svc.engine, who, open_only)
    return pages.of(total, requests_for_information(svc.engine, who, open_only, pages.offset, pages.per_page))


@router.post("/rfis/{rfi_id}/answer", response_model=RfiOut, responses=problems(404, 409))
def answer(body: AnswerIn, rfi_id: Annotated[int, Path(ge=1, le=2**62)], who: Principal = Depends(submitter), svc: Service = Depends(service)):
    """Answer a request for information; to correct the data itself, amend the consignment."""
    try:
        answered = answer_rfi(svc.engine, who, rfi_id, body.answer)
    except AlreadyAnswered as e:
        raise HTTPException(409, str(e)) from None
    if answered is None:
        raise HTTPException(404, f"no request for information {rfi_id} of yours")
    return answered


@router.get("/{reference}", response_model=StatusOut, responses=problems(404))
def status(reference: Reference, who: Principal = Depends(submitter), svc: Service = Depends(service)):
    """What happens to one of your consignments."""
    rows = status_rows(svc.engine, who, [reference])
    if not rows:
        raise HTTPException(404, f"no consignment '{reference}' of yours")
    return _status(rows[0])
