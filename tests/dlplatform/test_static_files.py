"""Static files as production serves them: collected under hashed names with gzip variants,
answered by the ASGI app (dlplatform.asgi) with far-future caching, and ES-module imports
that follow the hashed names."""

import asyncio
import gzip
import json
import re
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import override_settings

from dlplatform.static_files import StaticFilesApp
from lessons.markdown import FIGURES

MANIFEST_STORAGE = {"BACKEND": "dlplatform.static_files.StaticFilesStorage"}
TEN_YEARS = 315360000


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic once, with the storage production uses, into a folder of our own."""
    from django.conf import settings

    root = tmp_path_factory.mktemp("static")
    storages = dict(settings.STORAGES, staticfiles=MANIFEST_STORAGE)
    with override_settings(STATIC_ROOT=root, STORAGES=storages, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture(scope="module")
def manifest(collected) -> dict[str, str]:
    return json.loads((collected / "staticfiles.json").read_text())["paths"]


def get(app, path: str, **headers) -> httpx.Response:
    async def fetch():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(fetch())


async def not_django(scope, receive, send):
    """Stands in for Django behind the static files app: says it was reached."""
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"reached the app"})


def test_the_figures_modules_import_each_other_by_hashed_name(collected, manifest):
    index = (collected / manifest["js/figures/index.js"]).read_text()
    imports = re.findall(r'from "\./([^"]+)"', index)
    assert len(imports) == len(FIGURES)  # one module a figure, every one imported
    for name in imports:
        assert f"js/figures/{name}" in manifest.values(), name
    neuron = (collected / manifest["js/figures/neuron.js"]).read_text()
    assert 'from "./common.js"' not in neuron
    assert re.search(r'from "\./common\.[0-9a-f]{12}\.js"', neuron)


def test_pages_link_the_hashed_names(collected, manifest):
    storages = {"staticfiles": MANIFEST_STORAGE,
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with override_settings(STATIC_ROOT=collected, STORAGES=storages, DEBUG=False):
        html = Template("{% include '_plotly.html' %}").render(Context())
    assert f'src="/static/{manifest["vendor/plotly/plotly-cartesian.min.js"]}"' in html


def test_hashed_files_are_served_compressed_and_cached_for_ever(collected, manifest):
    storages = {"staticfiles": MANIFEST_STORAGE,
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with override_settings(STATIC_ROOT=collected, STORAGES=storages, DEBUG=False):
        app = StaticFilesApp(not_django)
        hashed = manifest["vendor/plotly/plotly-cartesian.min.js"]
        response = get(app, f"/static/{hashed}", **{"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["cache-control"] == f"max-age={TEN_YEARS}, public, immutable"
        assert response.headers["content-type"].startswith("text/javascript")
        raw = (collected / hashed).read_bytes()
        assert gzip.decompress((collected / f"{hashed}.gz").read_bytes()) == raw
        assert response.content == raw  # httpx undid the gzip
        assert int(response.headers["content-length"]) < len(raw) / 2

        again = get(app, f"/static/{hashed}", **{"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304

        # An unhashed name still works (for a link typed by hand) but is cached briefly.
        plain = get(app, "/static/css/site.css")
        assert plain.status_code == 200
        assert "immutable" not in plain.headers["cache-control"]
        assert plain.content == Path(collected / "css/site.css").read_bytes()


def test_other_paths_and_missing_files_go_to_the_app(collected):
    with override_settings(STATIC_ROOT=collected, DEBUG=False):
        app = StaticFilesApp(not_django)
        assert get(app, "/lessons/").status_code == 418
        assert get(app, "/static/no/such/file.js").status_code == 418


def test_the_favicon_is_found(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert re.fullmatch(r"/static/img/favicon(\.[0-9a-f]{12})?\.svg", response["Location"])
    assert "max-age=86400" in response["Cache-Control"]


def test_the_live_views_modules_import_each_other_by_hashed_name(collected, manifest):
    """An unhashed import would load a second copy of a module (and miss the cache)."""
    modules = ["js/live_run.js", *(name for name in manifest if name.startswith("js/live/"))]
    assert "js/live/state.js" in modules and "js/live/contract.js" in modules
    for name in modules:
        text = (collected / manifest[name]).read_text()
        imports = re.findall(r'from "\./(?:live/)?([^"]+)"', text)
        # A module that imports must have its imports found here (a leaf imports nothing).
        assert imports or not re.search(r"^import |\bfrom \"", text, re.M), name
        for imported in imports:
            assert re.fullmatch(r"[a-z_]+\.[0-9a-f]{12}\.js", imported), (name, imported)
