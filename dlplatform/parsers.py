"""The API's JSON parser: DRF's, with the body's size and nesting bounded before parsing.

Python's json recurses once per nesting level, so a body of a few thousand `[` raised
RecursionError (a 500) on every JSON endpoint, the unauthenticated token endpoint
included. The depth is measured first, by a vectorized scan of the brackets outside
strings (no recursion), so no body can make the parser recurse deeply. No real request
nests beyond a handful of levels: a config is 3, a batch of 28x28 images 4.
"""

import codecs

import numpy as np
from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

MAX_JSON_DEPTH = 64

# Each byte's change of depth: +1 for an opening bracket, -1 for a closing one.
_DEPTH_STEP = np.zeros(256, dtype=np.int8)
_DEPTH_STEP[[ord("["), ord("{")]] = 1
_DEPTH_STEP[[ord("]"), ord("}")]] = -1


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def body_too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"The request body is larger than the {limit // 1024} KiB this API accepts."


def nests_deeper_than(body: bytes, limit: int) -> bool:
    """Whether a UTF-8 JSON body's arrays and objects nest more than `limit` levels.

    Linear and vectorized: escaped backslashes and quotes are dropped (left to right, as a
    JSON reader pairs them), then a bracket counts when an even number of quotes precede
    it, i.e. outside any string; the depth is the running sum's maximum.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # no body nests deeper than it has opening brackets: the usual case
    plain = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    codes = np.frombuffer(plain, dtype=np.uint8)
    steps = _DEPTH_STEP[codes]
    steps[np.cumsum(codes == ord('"'), dtype=np.int32) % 2 == 1] = 0
    return int(np.cumsum(steps, dtype=np.int32).max()) > limit


class BoundedJSONParser(JSONParser):
    """JSON bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE bytes (else 413) nested at most
    MAX_JSON_DEPTH levels (else 400 parse_error)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(body) > limit:
            raise PayloadTooLarge(body_too_large_message())
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding") or settings.DEFAULT_CHARSET
        try:
            text = codecs.decode(body, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        if codecs.lookup(encoding).name != "utf-8":
            body = text.encode("utf-8")
        if nests_deeper_than(body, MAX_JSON_DEPTH):
            raise ParseError(
                f"JSON parse error - the body nests deeper than the {MAX_JSON_DEPTH} levels "
                "accepted."
            )
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
