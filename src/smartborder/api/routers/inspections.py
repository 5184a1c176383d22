"""Officers (and analysts): the work queue, a consignment with the reasons it was selected, and
recording what an inspection found."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from smartborder.api.deps import CUSTOMS, Paging, Service, paging, role, service
from smartborder.api.models import ConsignmentOut, OutcomeIn, OutcomeRecord, Page, QueueItem, problems
from smartborder.risk.lanes import LANES, RFI
from smartborder.service.accounts import Principal
from smartborder.service.inspections import QUEUE_LANES, Inspection, QueueFilter, detail, queue, record_outcome

router = APIRouter(prefix="/v1", tags=["officers"], responses=problems(401, 403, 422))
customs = role(*CUSTOMS)
ConsignmentId = Annotated[int, Path(ge=1, le=2**62)]
RECORD_HIDDEN = ("items", "findings", "rfis", "assessments", "outcomes", "extra", "content_hash")


@router.get("/queue", response_model=Page[QueueItem])
def work_queue(
    lane: list[str] = Query(list(QUEUE_LANES), description=f"Lanes to show: {', '.join((*LANES, RFI))}"),
    office: str | None = Query(None, max_length=64),
    min_risk: float = Query(0.0, ge=0, le=1),
    inspected: bool = Query(False, description="Also show consignments already inspected"),
    pages: Paging = Depends(paging),
    who: Principal = Depends(customs),
    svc: Service = Depends(service),
):
    """Consignments selected for control in your administration, riskiest first."""
    unknown = [value for value in lane if value not in (*LANES, RFI)]
    if unknown:
        raise HTTPException(422, f"lane: '{unknown[0]}' is not one of {', '.join((*LANES, RFI))}")
    total, rows = queue(svc.engine, who, QueueFilter(tuple(lane), office, min_risk, inspected), pages.offset, pages.per_page)
    return pages.of(total, rows)


@router.get("/consignments/{consignment_id}", response_model=ConsignmentOut, responses=problems(404))
def consignment(consignment_id: ConsignmentId, who: Principal = Depends(customs), svc: Service = Depends(service)):
    """A consignment as stored, with its goods items, data-quality findings, requests for
    information, assessments (with their reasons) and inspection outcomes."""
    found = detail(svc.engine, who, consignment_id)
    if found is None:
        raise HTTPException(404, f"no consignment {consignment_id} in your administration")
    return {**{k: found[k] for k in ("id", "submitter", "reference", "version", "received_at", "items", "findings", "rfis", "assessments", "outcomes")},
            "record": {k: v for k, v in found.items() if k not in RECORD_HIDDEN}}  # fmt: skip


@router.post("/consignments/{consignment_id}/outcomes", response_model=OutcomeRecord, status_code=201, responses=problems(404))
def outcome(body: OutcomeIn, consignment_id: ConsignmentId, who: Principal = Depends(customs), svc: Service = Depends(service)):
    """Record what the inspection found; it counts for the hit rate of the profiles that selected
    the consignment and for the next model."""
    recorded = record_outcome(svc.engine, who, consignment_id, Inspection(**body.model_dump()))
    if recorded is None:
        raise HTTPException(404, f"no consignment {consignment_id} in your administration")
    return recorded
