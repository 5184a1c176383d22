"""Figures: submitters' data quality and the dashboard (headline figures and charts, drawn in the
browser by the bundled plotly from JSON embedded in the page)."""

from fastapi import APIRouter, Depends, Request

from smartborder.api.deps import Service, service
from smartborder.quality.report import submitter_quality
from smartborder.risk.lanes import LANES, RFI
from smartborder.service import measures
from smartborder.service.accounts import Principal
from smartborder.web.common import PageRoute, customs, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)
LANE_ORDER = (*LANES, RFI)


@router.get("/quality")
def quality(request: Request, who: Principal = Depends(customs), svc: Service = Depends(service)):
    rows = submitter_quality(svc.engine, countries=who.organisation.countries).to_dicts()
    return page(request, "quality.html", {"rows": rows})


@router.get("/dashboard")
def dashboard(request: Request, who: Principal = Depends(customs), svc: Service = Depends(service)):
    figures = measures.summary(svc.engine, who)
    daily = figures["daily"]
    lanes = sorted(figures["lanes"].items(), key=lambda kv: LANE_ORDER.index(kv[0]) if kv[0] in LANE_ORDER else len(LANE_ORDER))
    charts = {
        "lanes": {"lane": [k for k, _ in lanes], "count": [v for _, v in lanes]},
        "daily": {
            "date": daily.get("declared_date", []),
            "selected": daily.get("selected", []),
            "inspected": daily.get("inspected", []),
            "found": daily.get("found", []),
            "hit_rate": [round(f / i, 4) if i else None for f, i in zip(daily.get("found", []), daily.get("inspected", []), strict=True)],
        },
        "detections": {"kind": list(figures["detections"]), "count": list(figures["detections"].values())},
    }
    return page(request, "dashboard.html", {"f": figures, "charts": charts})
