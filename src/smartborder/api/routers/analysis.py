"""Analysts: risk profiles with their hit statistics, watch lists, the model register, submitters'
data quality, the audit log and the dashboard's figures. Officers may read profiles, lists and
figures; changing them takes an analyst, and every change is in the audit log."""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from smartborder.api.deps import CUSTOMS, Paging, Service, paging, role, service
from smartborder.api.models import (
    AuditOut,
    ModelOut,
    Page,
    ProfileOut,
    ProfileTextIn,
    ProfileTextOut,
    QualityOut,
    WatchlistIn,
    WatchlistOut,
    WhitelistIn,
    problems,
)
from smartborder.learn.registry import promote, registered
from smartborder.quality.report import submitter_quality
from smartborder.service import audit, measures
from smartborder.service import profiles as profile_service
from smartborder.service import watchlists as list_service
from smartborder.service.accounts import Principal

router = APIRouter(prefix="/v1", tags=["analysts"], responses=problems(401, 403, 422))
reader, analyst = role(*CUSTOMS), role("analyst")
ProfileId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
ListName = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")]


@router.get("/profiles", response_model=list[ProfileOut])
def profiles(who: Principal = Depends(reader), svc: Service = Depends(service)):
    """Every profile (active first) with hits, inspections, findings and hit rate."""
    return profile_service.profiles(svc.engine, svc.workspace(who), who, svc.contexts.get(who.organisation).problems)


@router.get("/profiles/{profile_id}", response_model=ProfileTextOut, responses=problems(404))
def profile(profile_id: ProfileId, who: Principal = Depends(reader), svc: Service = Depends(service)):
    found = profile_service.profile_text(svc.workspace(who), profile_id)
    if found is None:
        raise HTTPException(404, f"no profile '{profile_id}'")
    return ProfileTextOut(id=profile_id, status=found[1], yaml=found[0])


@router.post("/profiles", response_model=ProfileTextOut, status_code=201, responses=problems(409))
def create_profile(body: ProfileTextIn, who: Principal = Depends(analyst), svc: Service = Depends(service)):
    """Create a profile from its YAML; a profile that cannot be used is refused with line and reason."""
    made = profile_service.save_profile(svc.engine, svc.workspace(who), svc.contexts, who, body.yaml)
    return ProfileTextOut(id=made.id, status="active", yaml=body.yaml)


@router.put("/profiles/{profile_id}", response_model=ProfileTextOut, responses=problems(404))
def edit_profile(body: ProfileTextIn, profile_id: ProfileId, who: Principal = Depends(analyst), svc: Service = Depends(service)):
    profile_service.save_profile(svc.engine, svc.workspace(who), svc.contexts, who, body.yaml, profile_id)
    return ProfileTextOut(id=profile_id, status="active", yaml=body.yaml)


@router.post("/profiles/{profile_id}/retire", status_code=204, responses=problems(404))
def retire_profile(profile_id: ProfileId, who: Principal = Depends(analyst), svc: Service = Depends(service)):
    """Stop applying a profile; it is kept, with its statistics."""
    profile_service.retire_profile(svc.engine, svc.workspace(who), who, profile_id)


@router.get("/watchlists", response_model=list[WatchlistOut])
def watchlists(who: Principal = Depends(reader), svc: Service = Depends(service)):
    return list_service.watchlists(svc.workspace(who))


@router.get("/watchlists/{name}/entries", response_model=Page[dict], responses=problems(404))
def entries(name: ListName, pages: Paging = Depends(paging), who: Principal = Depends(reader), svc: Service = Depends(service)):
    total, rows = list_service.entries(svc.workspace(who), name, pages.offset, pages.per_page)
    return pages.of(total, rows)


@router.put("/watchlists/{name}", response_model=WatchlistOut)
def upload(body: WatchlistIn, name: ListName, who: Principal = Depends(analyst), svc: Service = Depends(service)):
    """Add a list or replace it: its CSV content, kind, source and date, and for a party list what
    a match means by itself (lane, weight) and the lowest score that counts."""
    return list_service.upload(svc.engine, svc.workspace(who), who, body.spec(name), body.content)


@router.get("/watchlists/{name}/whitelist", response_model=list[dict], responses=problems(404))
def whitelist(name: ListName, who: Principal = Depends(reader), svc: Service = Depends(service)):
    """Known false positives of a party list: names that are not the entry they resemble."""
    return list_service.whitelist(svc.workspace(who), name)


@router.post("/watchlists/{name}/whitelist", response_model=list[dict], status_code=201, responses=problems(404))
def add_to_whitelist(body: WhitelistIn, name: ListName, who: Principal = Depends(analyst), svc: Service = Depends(service)):
    return list_service.add_to_whitelist(svc.engine, svc.workspace(who), who, name, body.entry_id, body.name, body.note)


@router.get("/models", response_model=list[ModelOut])
def models(who: Principal = Depends(reader), svc: Service = Depends(service)):
    """Your administration's register: the champion in use, challengers, retired models, with their out-of-time metrics."""
    return [row | {"metrics": json.loads(row["metrics"] or "{}")} for row in registered(svc.engine, who.organisation.id).drop("path").to_dicts()]


@router.post("/models/{version}/promote", status_code=204, responses=problems(404))
def promote_model(version: Annotated[str, Path(min_length=1, max_length=100)], who: Principal = Depends(analyst), svc: Service = Depends(service)):
    """Put a challenger of your administration's register in use; the champion it replaces is retired."""
    with svc.engine.begin() as conn:
        promote(conn, version, who.organisation.id)
        audit.record(conn, who, "model.promote", f"model:{version}")


@router.get("/quality", response_model=list[QualityOut])
def quality(who: Principal = Depends(reader), svc: Service = Depends(service)):
    """Data quality of each submitter sending to your administration, worst first."""
    return submitter_quality(svc.engine, countries=who.organisation.countries).to_dicts()


@router.get("/audit", response_model=list[AuditOut])
def audit_log(pages: Paging = Depends(paging), who: Principal = Depends(analyst), svc: Service = Depends(service)):
    """Who changed a profile, a list or a model, or recorded an outcome; newest first."""
    return audit.entries(svc.engine, who.organisation.id, pages.offset, pages.per_page)


@router.get("/measures", response_model=dict)
def figures(who: Principal = Depends(reader), svc: Service = Depends(service)):
    """Inspection rate, hit rate, detections, revenue, data quality, time to decision, per day too."""
    return measures.summary(svc.engine, who)
