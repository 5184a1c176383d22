"""The service: the REST API under /v1 (OpenAPI at /docs and /openapi.json) and the officers'
web UI, on one store. `create_app` builds it; `smartborder serve` runs it."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from smartborder import __version__
from smartborder.api.deps import Service
from smartborder.api.limits import RequestLimits
from smartborder.api.routers import admin, analysis, assess, inspections, submissions
from smartborder.config import Settings, get_settings
from smartborder.intake.errors import IntakeError
from smartborder.risk.profiles import ProfileError
from smartborder.risk.watchlists import ListError
from smartborder.service.accounts import AccountConflict, AccountError
from smartborder.service.checks import Checks
from smartborder.service.submissions import Inbox, StoreUnavailable
from smartborder.service.workspace import Contexts
from smartborder.store.db import open_store
from smartborder.web import pages

log = logging.getLogger("smartborder.api")

# Errors of the domain, each answered with its status and its own message (which names the field or line).
ERROR_STATUS = {ProfileError: 422, ListError: 422, AccountError: 422, AccountConflict: 409, IntakeError: 422, FileExistsError: 409, LookupError: 404}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = open_store(settings)
    contexts = Contexts(settings, engine)
    service = Service(settings, engine, contexts, Inbox(engine, settings, contexts), Checks(contexts, settings.rfi_severity))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        service.inbox.close()
        engine.dispose()

    app = FastAPI(
        title="smartborder",
        version=__version__,
        description="Risk management for customs: advance data from submitters, risk assessment, the officers' queue and outcomes.",
        lifespan=lifespan,
    )
    app.state.service = service
    for router in (submissions.router, assess.router, inspections.router, analysis.router, admin.router):
        app.include_router(router)
    for error, status in ERROR_STATUS.items():
        app.add_exception_handler(error, _answer_with(status))
    app.add_exception_handler(StoreUnavailable, _unavailable)
    _install_error_handlers(app)
    app.add_middleware(RequestLimits, max_bytes=settings.max_request_bytes)
    app.include_router(pages.router)
    app.mount("/static", pages.static_files(), name="static")
    return app


def _answer_with(status: int):
    async def handler(request: Request, error: Exception) -> JSONResponse:
        message = error.args[0] if isinstance(error, LookupError) and error.args else str(error)
        return JSONResponse(status_code=status, content={"detail": message})

    return handler


async def _unavailable(request: Request, error: StoreUnavailable) -> JSONResponse:
    """503 with Retry-After: the service is up, but cannot store submissions for now."""
    return JSONResponse(status_code=503, content={"detail": str(error)}, headers={"Retry-After": str(error.retry_after)})


def _install_error_handlers(app: FastAPI) -> None:
    """A request that fails validation is a 422 naming each field, what is wrong and why; it does
    not echo what was sent (which may be secret, or not even encodable)."""

    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": [_plain(e) for e in error.errors()]})

    app.add_exception_handler(RequestValidationError, invalid)


def _plain(error: dict) -> dict:
    """A validation error's type, location and message, printable (a key sent may be a lone surrogate)."""
    reason = (error.get("ctx") or {}).get("error") if error["type"] == "json_invalid" else None
    message = f"{error['msg']}: {reason}" if isinstance(reason, str) and reason not in error["msg"] else error["msg"]
    return {"type": error["type"], "loc": [_printable(part) for part in error["loc"]], "msg": _printable(message)}


def _printable(part):
    return part.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(part, str) else part
