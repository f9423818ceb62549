"""Errors as `{"error": code, "detail": text}` with a 4xx/5xx status: never a stack trace."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


class ApiError(HTTPException):
    """An HTTP error with our own machine-readable code."""

    def __init__(self, status_code: int, code: str, detail: str) -> None:
        super().__init__(status_code=status_code, detail=detail)
        self.code = code


def error_response(status: int, code: str, detail: str) -> Response[dict[str, str]]:
    return Response(
        {"error": code, "detail": detail}, status_code=status, media_type=MediaType.JSON
    )


def http_exception_handler(_: Request, exc: HTTPException) -> Response[dict[str, str]]:
    code = getattr(exc, "code", None) or CODES.get(exc.status_code, "error")
    detail = exc.detail
    if isinstance(exc, ValidationException) and exc.extra:
        detail = f"{exc.detail}: {exc.extra}"
    response = error_response(exc.status_code, code, str(detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def internal_error_handler(request: Request, exc: Exception) -> Response[dict[str, str]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "internal", "internal server error")
