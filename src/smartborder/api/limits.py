"""What one request may cost the service. `RequestLimits` refuses a body over the size limit
(counted as it arrives, whatever its Content-Length says) and an address holding a NUL;
`OffLoopRoute` decodes and validates a route's JSON body in a worker thread, so that a large
request does not stop the event loop from answering the others meanwhile."""

import json
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class TooLarge(HTTPException):
    """A request larger than the service takes: a 413 saying the limit and what to do."""

    def __init__(self, detail: str):
        super().__init__(413, detail)


class RequestLimits:
    """ASGI middleware: a body over `max_bytes` is a 413 before it is read (by its Content-Length)
    or as soon as the bytes received pass the limit. A NUL in the path or query, which no name or
    value here holds and PostgreSQL cannot store, is a 422 naming which."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes
        self.too_large = (f"the request body is over the limit of {max_bytes:,} bytes (SMARTBORDER_MAX_REQUEST_BYTES): "
                          "split the submission into smaller ones")  # fmt: skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if nul := ("path" if "\x00" in scope["path"] else "query" if b"%00" in scope["query_string"] else None):
            problem = {"type": "nul_character", "loc": [nul], "msg": "The address should not hold a NUL character (%00)"}
            return await JSONResponse({"detail": [problem]}, 422)(scope, receive, send)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return await JSONResponse({"detail": self.too_large}, 413)(scope, receive, send)
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise TooLarge(self.too_large)
            return message

        await self.app(scope, counted, send)


class OffLoopRoute(APIRoute):
    """A route whose JSON body (one model) is decoded and validated in a worker thread; FastAPI
    then receives the finished model, which it takes as it is. Errors are the same 422s naming
    the field that FastAPI would give."""

    def get_route_handler(self):
        handle = super().get_route_handler()
        model = _body_model(self)
        if model is None:
            return handle

        async def handler(request: Request) -> Response:
            raw = await request.body()
            if raw and _is_json(request):
                request = _Decoded(request, raw, await run_in_threadpool(_validated, model, raw))
            return await handle(request)

        return handler


def _body_model(route: APIRoute) -> type[BaseModel] | None:
    """The model of the route's body, when the body is one model (not embedded in an object)."""
    params = route.dependant.body_params
    annotation = params[0].field_info.annotation if len(params) == 1 and not getattr(params[0].field_info, "embed", False) else None
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def _validated(model: type[BaseModel], raw: bytes) -> BaseModel:
    """The body as `model`, or a RequestValidationError naming each field (under "body")."""
    try:
        decoded = json.loads(raw)
    except json.JSONDecodeError as e:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body", e.pos), "msg": f"JSON decode error: {e.msg}"}]) from None
    except UnicodeDecodeError:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error: the body is not UTF-8"}]) from None
    try:
        return model.model_validate(decoded)
    except ValidationError as e:
        raise RequestValidationError([error | {"loc": ("body", *error["loc"])} for error in e.errors(include_url=False)]) from None


class _Decoded(Request):
    """The request with its body read, decoded and validated already."""

    def __init__(self, request: Request, raw: bytes, value: Any):
        super().__init__(request.scope, request.receive)
        self._raw, self._value = raw, value

    async def body(self) -> bytes:
        return self._raw

    async def json(self) -> Any:
        return self._value
