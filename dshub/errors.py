"""Errors the API reports, and the handlers that make every error body one line."""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

# C0 and C1 controls, and the separators str.splitlines() also breaks lines at.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class NotFound(Exception):
    def __init__(self, detail: str) -> None:
        self.detail = detail


class Ambiguous(Exception):
    def __init__(self, detail: str, matches: list[str]) -> None:
        self.detail = detail
        self.matches = matches


def _validation_line(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            # loc holds a character offset here, which reads badly as a field name.
            reason = (error.get("ctx") or {}).get("error", "")
            parts.append(f"the request body is not valid JSON{': ' + str(reason) if reason else ''}")
            continue
        where = ".".join(str(p) for p in loc if p not in ("body", "query", "path", "header"))
        if not where and loc[:1] == ("body",):
            where = "request body"
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return _one_line("; ".join(parts) or "invalid request")


def _one_line(text: str) -> str:
    """TEXT with control characters escaped (a newline becomes \\n), other spacing kept.

    Clients print the detail as is, and a name from the URL may hold anything.
    """
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": _one_line(str(exc.detail))}, status_code=exc.status_code,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_line(exc)}, status_code=422)

    @app.exception_handler(NotFound)
    async def _not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": _one_line(exc.detail)}, status_code=404)

    @app.exception_handler(Ambiguous)
    async def _ambiguous(_request: Request, exc: Ambiguous) -> JSONResponse:
        return JSONResponse({"detail": _one_line(exc.detail), "matches": exc.matches}, status_code=409)

    # Starlette still re-raises after this response, so the server logs the traceback.
    @app.exception_handler(Exception)
    async def _internal(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "internal server error: see the hub's log"}, status_code=500)
