"""A small typed client for /api/v1/ over httpx.

Every failure surfaces as one exception, ApiError, carrying the fields of the API's error
shape ({"error": {"code", "message", "fields"}}), so the CLI prints any error the same way;
a body in another shape (a proxy's HTML page, an older server) is kept raw for printing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import httpx

from dlclient import __version__

API_PREFIX = "/api/v1/"
# Short connect, generous read: a submit may wait on a busy database for a few seconds.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Longer than the server's keepalive interval (15 s), so a quiet stream is not cut.
STREAM_READ_TIMEOUT_S = 60.0
_RAW_BODY_LIMIT = 500


class ApiError(Exception):
    """A request the server refused (status >= 400) or could not be sent (status 0)."""

    def __init__(self, status: int, code: str, message: str,
                 fields: dict[str, str] | None = None, *, retry_after: float | None = None,
                 raw: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.retry_after = retry_after
        self.raw = raw  # the body as sent, when it was not in the error shape

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        """Read the error shape; fall back to the raw text of any other body."""
        response.read()  # a streamed response has not read its body yet
        retry_after = _retry_after(response.headers.get("Retry-After"))
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            fields = error.get("fields")
            if retry_after is None and isinstance(error.get("retry_after"), int | float):
                retry_after = float(error["retry_after"])
            return cls(
                response.status_code, str(error.get("code") or "error"), error["message"],
                {str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {},
                retry_after=retry_after,
            )
        reason = response.reason_phrase or "error"
        return cls(response.status_code, f"http_{response.status_code}",
                   f"HTTP {response.status_code} {reason}", retry_after=retry_after,
                   raw=response.text[:_RAW_BODY_LIMIT])


class ConnectionFailed(ApiError):
    """The server could not be reached or the connection broke (no HTTP status)."""

    def __init__(self, url: str, cause: Exception) -> None:
        super().__init__(0, "connection_failed",
                         f"Cannot reach {url}: {str(cause) or type(cause).__name__}")


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def _filename(response: httpx.Response) -> str | None:
    """The filename of Content-Disposition, reduced to a plain name (no directories)."""
    match = re.search(r'filename="?([^";]+)"?', response.headers.get("Content-Disposition", ""))
    if not match:
        return None
    name = match.group(1).replace("\\", "/").rsplit("/", 1)[-1]
    return name if name not in ("", ".", "..") else None


class Client:
    """One server and (optionally) one token; a method per endpoint the CLI uses."""

    def __init__(self, base_url: str, token: str | None = None, *,
                 timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"User-Agent": f"dlp/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        self._http = httpx.Client(base_url=self.base_url + API_PREFIX, headers=headers,
                                  timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------------

    def _send(self, method: str, path: str, *, expect: tuple[int, ...] = (200,),
              **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise ConnectionFailed(self.base_url, exc) from exc
        if response.status_code not in expect:
            raise ApiError.from_response(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(response.status_code, "bad_response",
                           f"The server answered {path} with something other than JSON.",
                           raw=response.text[:_RAW_BODY_LIMIT]) from exc

    # -- endpoints -------------------------------------------------------------------------

    def login(self, username: str, password: str, name: str | None = None) -> str:
        """A new token's key (the server answers 201 with it; older servers said 200)."""
        body = {"username": username, "password": password}
        if name:
            body["name"] = name
        data = self._json("POST", "auth/token/", json=body, expect=(200, 201))
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError(200, "bad_response", "The server's answer held no token.")
        return token

    def submit(self, body: dict) -> dict:
        return self._json("POST", "jobs/", json=body, expect=(201,))

    def list_jobs(self, *, limit: int = 50, offset: int = 0, status: str | None = None) -> dict:
        """One page: {"count", "next", "previous", "results"}. `status` is sent along for a
        server that filters on it; callers filter the results too, for one that does not."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status:
            params["status"] = status
        return self._json("GET", "jobs/", params=params)

    def job(self, job_id: int) -> dict:
        return self._json("GET", f"jobs/{job_id}/")

    def cancel(self, job_id: int) -> dict:
        return self._json("POST", f"jobs/{job_id}/cancel/")

    def metrics(self, job_id: int, after: int = 0) -> dict:
        return self._json("GET", f"jobs/{job_id}/metrics/", params={"after": after})

    def deploy(self, job_id: int, name: str | None = None) -> dict:
        body = {"name": name} if name else {}
        return self._json("POST", f"jobs/{job_id}/deploy/", json=body, expect=(201,))

    def models(self) -> list[dict]:
        return self._json("GET", "models/")

    def model(self, model_id: int) -> dict:
        return self._json("GET", f"models/{model_id}/")

    def predict(self, model_id: int, inputs: Any) -> dict:
        return self._json("POST", f"models/{model_id}/predict/", json={"inputs": inputs})

    def download(self, path: str, out: BinaryIO) -> str | None:
        """Stream a file endpoint (relative to /api/v1/) into `out`; returns the server's
        filename. Streamed, because a model's weights need not fit in memory twice."""
        try:
            with self._http.stream("GET", path, headers={"Accept": "*/*"}) as response:
                if response.status_code != 200:
                    raise ApiError.from_response(response)
                for chunk in response.iter_bytes():
                    out.write(chunk)
                return _filename(response)
        except httpx.TransportError as exc:
            raise ConnectionFailed(self.base_url, exc) from exc

    @contextmanager
    def open_events(self, job_id: int, last_event_id: str | None = None
                    ) -> Iterator[Iterator[str] | None]:
        """The job's event stream as lines, resumed after `last_event_id`; None when the
        server answers 204 (the caller has already seen the final event).

        Transport errors are left to the caller (dlclient.stream reconnects on them).
        """
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        timeout = httpx.Timeout(STREAM_READ_TIMEOUT_S, connect=10.0)
        with self._http.stream("GET", f"jobs/{job_id}/events/", headers=headers,
                               timeout=timeout) as response:
            if response.status_code == 204:
                yield None
            elif response.status_code != 200:
                raise ApiError.from_response(response)
            else:
                yield response.iter_lines()
