"""ASGI entry point (uvicorn dlplatform.asgi:application): pages, API and Server-Sent Events.

Static files (our CSS/JS and the vendored Plotly.js) are answered in front of Django by
dlplatform.static_files (WhiteNoise's index: hashed names, gzip, far-future caching), so one
uvicorn process serves everything with no CDN and no extra server. They must have been
collected first (`manage.py collectstatic`; `manage.py up` and the Dockerfile do it).
"""

import os
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.core.asgi import get_asgi_application
from django.urls import Resolver404, resolve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlplatform.settings")

django_application = get_asgi_application()

from dlplatform.static_files import StaticFilesApp  # noqa: E402  (needs the settings set up)

EVENT_STREAM_URL_NAME = "api-job-events"


class SharedThreadForEventStreams:
    """Event streams run their few synchronous steps (middleware, the token and job
    lookups) on one thread shared by all of them, not on a thread of their own.

    Django gives each request a thread for its synchronous code that lives as long as the
    request (asgiref's ThreadSensitiveContext). A page's request lasts milliseconds; an event
    stream lasts as long as a run, so a process with 1,000 open streams held 1,000 idle
    threads, most of the ~110 KB each stream cost. An outer ThreadSensitiveContext with a
    given executor takes precedence over Django's; the stream's event reads go to the
    default pool (api/stream.py), so one slow read never holds up the others.
    """

    def __init__(self, app) -> None:
        self.app = app
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="event-streams")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and _is_event_stream(scope["path"]):
            async with ThreadSensitiveContext(executor=self._executor):
                await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _is_event_stream(path: str) -> bool:
    if not path.endswith("/events/"):
        return False
    try:
        return resolve(path).url_name == EVENT_STREAM_URL_NAME
    except Resolver404:
        return False


application = StaticFilesApp(SharedThreadForEventStreams(django_application))
