"""ASGI entry point (uvicorn dlplatform.asgi:application): pages, API and Server-Sent Events.

Static files (our CSS/JS and the vendored Plotly.js) are served by Django's static files
handler in front of the app, so one uvicorn process serves everything with no CDN and no
extra server; a large deployment can put a caching proxy in front of /static/.
"""

import os

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlplatform.settings")

application = ASGIStaticFilesHandler(get_asgi_application())
