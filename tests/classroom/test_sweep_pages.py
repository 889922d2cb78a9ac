"""Sweep pages: started from a lab's form (errors beside the field), a sweep's page with its
progress and each grid value's mean ± std; 403 for learners, 404 for another's sweep."""

import pytest

from classroom import services
from classroom.models import Sweep
from jobs.models import TrainingJob
from training_worker import runner


def form(**fields) -> dict:
    return {"field_1": "optim.lr", "values_1": "0.01, 0.1", "field_2": "", "values_2": "",
            "seeds": "2", **fields}


def test_the_lesson_page_offers_a_sweep_to_instructors_only(client, instructor, learner,
                                                            tiny_lab):
    url = f"/labs/{tiny_lab.pk}/sweep/"
    client.force_login(learner)
    assert url not in client.get(tiny_lab.lesson.get_absolute_url()).content.decode()
    client.force_login(instructor)
    assert url in client.get(tiny_lab.lesson.get_absolute_url()).content.decode()


def test_the_form_starts_a_sweep_and_shows_its_page(client, instructor, tiny_lab):
    client.force_login(instructor)
    page = client.get(f"/labs/{tiny_lab.pk}/sweep/")
    assert page.status_code == 200
    options = page.context["form"].fields["field_1"].choices
    assert options == [("optim.lr", "optim.lr"), ("model.hidden", "model.hidden")]

    started = client.post(f"/labs/{tiny_lab.pk}/sweep/", form(
        field_2="model.hidden", values_2="[4], [8]"))

    sweep = Sweep.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/sweeps/{sweep.pk}/"
    assert sweep.grid == {"optim.lr": [0.01, 0.1], "model.hidden": [[4], [8]]}
    assert sweep.runs.count() == 8
    detail = client.get(f"/sweeps/{sweep.pk}/").content.decode()
    assert "8 queued" in detail and 'http-equiv="refresh"' in detail


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"values_1": "0.01, 5"}, "values_1", "5: this lab allows 0.001 to 0.5 (got 5)"),
    ({"values_1": ""}, "values_1", "This field is required."),
    ({"seeds": "0"}, "seeds", "greater than or equal to 1"),
    ({"field_2": "optim.lr", "values_2": "0.2"}, "field_2", "Choose a different field"),
    ({"field_2": "model.hidden"}, "values_2", "Give the values"),
    ({"field_1": "optim.epochs"}, "field_1", "Select a valid choice"),
    ({"seeds": "30"}, None, "a sweep may hold at most 20 runs; 2 values × 30 seeds make 60"),
])  # fmt: skip
def test_form_errors_stand_beside_their_field(client, instructor, tiny_lab, fields, field,
                                              words):
    client.force_login(instructor)
    response = client.post(f"/labs/{tiny_lab.pk}/sweep/", form(**fields))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(words in error for error in errors[field or "__all__"]), errors
    assert not TrainingJob.objects.exists()


def test_a_limit_is_said_on_the_form(client, instructor, tiny_lab):
    services.sweep_create(owner=instructor, lab=tiny_lab, grid={"optim.lr": [0.01, 0.1]},
                          seeds=10)  # 20 runs: the whole allowance
    client.force_login(instructor)
    response = client.post(f"/labs/{tiny_lab.pk}/sweep/", form())
    assert response.status_code == 400
    assert "You have 20 sweep runs queued or running" in response.context["form"].errors[
        "__all__"][0]
    assert TrainingJob.objects.count() == 20


def test_the_sweep_page_shows_mean_and_std_per_value(client, instructor, tiny_lab):
    sweep = services.sweep_create(owner=instructor, lab=tiny_lab,
                                  grid={"optim.lr": [0.01, 0.1]}, seeds=2)
    for run in sweep.runs.all():
        runner.job_run(job_id=run.job_id)
    client.force_login(instructor)

    page = client.get(f"/sweeps/{sweep.pk}/")

    html = page.content.decode()
    assert "4 done" in html and 'http-equiv="refresh"' not in html
    low = page.context["report"].points[0].metrics["val_accuracy"]
    assert f"{low.mean:.4f} ± {low.std:.4f}<" in html
    assert [g["name"] for g in page.context["data"]["groups"]] == [
        "optim.lr = 0.01", "optim.lr = 0.1"]
    assert 'id="compare-data"' in html and "js/compare" in html


def test_learners_get_403_and_other_instructors_404(client, instructor, other_instructor,
                                                    learner, tiny_lab):
    sweep = services.sweep_create(owner=instructor, lab=tiny_lab,
                                  grid={"optim.lr": [0.1]}, seeds=1)
    client.force_login(learner)
    assert client.get(f"/sweeps/{sweep.pk}/").status_code == 403
    assert client.get("/sweeps/").status_code == 403
    assert client.get(f"/labs/{tiny_lab.pk}/sweep/").status_code == 403
    assert client.post(f"/labs/{tiny_lab.pk}/sweep/", form()).status_code == 403
    client.force_login(other_instructor)
    assert client.get(f"/sweeps/{sweep.pk}/").status_code == 404
    assert f"/sweeps/{sweep.pk}/" not in client.get("/sweeps/").content.decode()
    client.force_login(instructor)
    assert f"/sweeps/{sweep.pk}/" in client.get("/sweeps/").content.decode()


def test_a_value_with_runs_still_going_says_how_many_it_averages(client, instructor, tiny_lab):
    sweep = services.sweep_create(owner=instructor, lab=tiny_lab, grid={"optim.lr": [0.1]},
                                  seeds=2)
    first = sweep.runs.order_by("id").first().job
    runner.job_run(job_id=first.pk)
    first.refresh_from_db()
    client.force_login(instructor)
    html = client.get(f"/sweeps/{sweep.pk}/").content.decode()
    assert f"{first.result['val_accuracy']:.4f} (of 1 run)" in html
    assert "1 queued" in html and 'http-equiv="refresh"' in html
