import pytest

from jobs import services


@pytest.fixture
def job(user, moons_config):
    return services.job_submit(user=user, config=moons_config)


@pytest.mark.django_db
def test_my_runs_lists_own_runs_only(client, user, other_user, job, moons_config):
    theirs = services.job_submit(user=other_user, config=moons_config)
    client.force_login(user)
    html = client.get("/runs/").content.decode()
    assert f"/runs/{job.pk}/" in html
    assert f"/runs/{theirs.pk}/" not in html


@pytest.mark.django_db
def test_run_page_embeds_the_job_for_the_live_chart(client, user, job):
    client.force_login(user)
    response = client.get(f"/runs/{job.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="job-data"' in html
    assert "/static/vendor/plotly/plotly-cartesian.min.js" in html


@pytest.mark.django_db
def test_someone_elses_run_page_is_404(client, other_user, job):
    client.force_login(other_user)
    assert client.get(f"/runs/{job.pk}/").status_code == 404


@pytest.mark.django_db
def test_run_pages_need_a_login(client, job):
    assert client.get(f"/runs/{job.pk}/").status_code == 302
    assert client.get("/runs/").status_code == 302


@pytest.mark.django_db
def test_dashboard_shows_recent_runs(client, user, job):
    client.force_login(user)
    html = client.get("/dashboard/").content.decode()
    assert "Recent training runs" in html
    assert f"/runs/{job.pk}/" in html


def test_plotly_is_found_among_our_own_static_files():
    # The browser tests load it through uvicorn; here: our vendored copy, never a CDN's.
    from django.conf import settings
    from django.contrib.staticfiles import finders

    path = finders.find("vendor/plotly/plotly-cartesian.min.js")
    assert path and path.startswith(str(settings.BASE_DIR / "static"))
