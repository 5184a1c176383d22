"""The pre-loading / pre-arrival check: one consignment's lane and reasons, at once. The same
preparation and `assess` as everything else (see service.checks); nothing is stored."""

from fastapi import APIRouter, Depends, HTTPException

from smartborder.api.deps import CUSTOMS, Service, role, service
from smartborder.api.limits import OffLoopRoute
from smartborder.api.models import AssessIn, AssessmentOut, problems
from smartborder.risk.lanes import MEANING
from smartborder.service.accounts import Principal
from smartborder.service.checks import Rejected

router = APIRouter(prefix="/v1", tags=["risk assessment"], responses=problems(401, 403, 413, 422), route_class=OffLoopRoute)


@router.post("/assess", response_model=AssessmentOut)
async def assess_one(body: AssessIn, who: Principal = Depends(role(*CUSTOMS)), svc: Service = Depends(service)):  # type: ignore[valid-type]
    """Assess one consignment with your administration's profiles, lists and model."""
    result = await svc.checks.check(who.organisation, body.model_dump(mode="json", exclude_none=True))
    if isinstance(result, Rejected):
        raise HTTPException(422, result.errors)
    return AssessmentOut(
        reference=result["reference"], lane=result["lane"], meaning=MEANING[result["lane"]], risk_score=result["risk_score"],
        reasons=[r for r in result["reasons"].split("; ") if r], rfi=result["rfi"] or None, profiles=result["profiles"].split(),
    )  # fmt: skip
