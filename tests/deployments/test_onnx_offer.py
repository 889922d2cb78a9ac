"""The ONNX download is offered (page link, API link) only where the server can export it:
torch's exporter needs the optional `onnx` package, which the README's install lacks."""

import sys
import types

import pytest


@pytest.fixture
def without_onnx(monkeypatch):
    # None in sys.modules makes `import onnx` raise ImportError, as on an install without it.
    monkeypatch.setitem(sys.modules, "onnx", None)


@pytest.fixture
def with_onnx(monkeypatch):
    if "onnx" not in sys.modules:
        try:
            import onnx  # noqa: F401
        except ImportError:  # only the offer is checked here, not the export itself
            monkeypatch.setitem(sys.modules, "onnx", types.ModuleType("onnx"))


@pytest.mark.django_db
def test_without_onnx_the_page_says_why_and_links_nowhere(client, user, moons_model,
                                                          without_onnx):
    client.force_login(user)
    html = client.get(f"/models/{moons_model['id']}/").content.decode()
    assert "/export/onnx" not in html
    assert "needs the optional <code>onnx</code> package" in html
    assert "/export/torchscript" in html


@pytest.mark.django_db
def test_without_onnx_the_api_gives_no_onnx_link(api, moons_model, without_onnx):
    urls = api.get(moons_model["urls"]["self"]).json()["urls"]
    assert "onnx" not in urls and "torchscript" in urls
    assert api.get(f"/api/v1/models/{moons_model['id']}/export/onnx").status_code == 501


@pytest.mark.django_db
def test_with_onnx_the_page_and_the_api_offer_it(client, api, user, moons_model, with_onnx):
    client.force_login(user)
    html = client.get(f"/models/{moons_model['id']}/").content.decode()
    assert f"/api/v1/models/{moons_model['id']}/export/onnx" in html
    assert "model-onnx-note" not in html
    urls = api.get(moons_model["urls"]["self"]).json()["urls"]
    assert urls["onnx"].endswith(f"/api/v1/models/{moons_model['id']}/export/onnx")
