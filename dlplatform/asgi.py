"""ASGI entry point (uvicorn dlplatform.asgi:application): pages, API and Server-Sent Events.

Static files (our CSS/JS and the vendored Plotly.js) are answered in front of Django by
dlplatform.static_files (WhiteNoise's index: hashed names, gzip, far-future caching), so one
uvicorn process serves everything with no CDN and no extra server. They must have been
collected first (`manage.py collectstatic`; `manage.py up` and the Dockerfile do it).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlplatform.settings")

django_application = get_asgi_application()

from dlplatform.static_files import StaticFilesApp  # noqa: E402  (needs the settings set up)

application = StaticFilesApp(django_application)
