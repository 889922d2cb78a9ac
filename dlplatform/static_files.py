"""Static files: content-hashed, compressed at collectstatic, served by WhiteNoise's rules.

`collectstatic` writes each file under a name with a hash of its content (`site.3f2a….css`)
plus gzip variants, and a manifest `{% static %}` reads. Those names never change while the
content stays the same, so they are served with a far-future, immutable Cache-Control: a
browser fetches Plotly once, not on every page.

WhiteNoise is WSGI software (its Django middleware is synchronous too, which under uvicorn
would cost a thread hop on every request, SSE streams included). StaticFilesApp puts its file
index and responses in front of the ASGI app instead: a request under STATIC_URL is answered
from WhiteNoise's index, anything else goes straight to Django, untouched.
"""

import asyncio

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # Rewrite `import … from "./x.js"` in our ES modules (static/js/figures/) to the hashed
    # names too: otherwise a hashed index.js would import the unhashed, briefly cached files.
    support_js_module_import_aggregation = True
    # django-nested-admin ships its ES-module sources beside the bundle its pages load
    # (nested_admin/dist/); nothing loads the sources, and their extension-less imports
    # ("./regexquote") name no file to hash: they are copied as they are, not rewritten.
    unprocessed_prefixes = ("nested_admin/src/",)

    def post_process(self, paths, *args, **kwargs):
        kept = {p: v for p, v in paths.items() if not p.startswith(self.unprocessed_prefixes)}
        yield from super().post_process(kept, *args, **kwargs)


def _environ_headers(scope: dict) -> dict[str, str]:
    """The request's headers as WSGI names them (HTTP_ACCEPT_ENCODING, …): WhiteNoise's
    responders read conditional requests, ranges and Accept-Encoding from these."""
    return {
        "HTTP_" + name.decode("latin-1").upper().replace("-", "_"): value.decode("latin-1")
        for name, value in scope["headers"]
    }


class StaticFilesApp:
    """ASGI: files under STATIC_URL from WhiteNoise's index; every other request to `app`."""

    CHUNK_BYTES = 64 * 1024

    def __init__(self, app):
        self.app = app
        # Reads STATIC_ROOT, STATIC_URL and WHITENOISE_* from the settings and indexes the
        # collected files once (in DEBUG: looks each request up through the finders).
        self.whitenoise = WhiteNoiseMiddleware(get_response=None, settings=settings)
        self.prefix = self.whitenoise.static_prefix

    def find(self, path: str):
        if self.whitenoise.autorefresh:
            return self.whitenoise.find_file(path)
        return self.whitenoise.files.get(path)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        static_file = (
            await asyncio.to_thread(self.find, scope["path"])
            if self.whitenoise.autorefresh else self.find(scope["path"])
        )
        if static_file is None:
            return await self.app(scope, receive, send)  # Django's own 404 page
        # Opening the file (and stat in DEBUG) touches the disk: off the event loop.
        response = await asyncio.to_thread(
            static_file.get_response, scope["method"], _environ_headers(scope)
        )
        await send({
            "type": "http.response.start",
            "status": int(response.status),
            "headers": [
                (name.lower().encode("latin-1"), str(value).encode("latin-1"))
                for name, value in response.headers
            ],
        })
        if response.file is None:
            await send({"type": "http.response.body", "body": b""})
            return
        try:
            while chunk := await asyncio.to_thread(response.file.read, self.CHUNK_BYTES):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            response.file.close()
