"""My runs' lab filter lists the labs the learner ran (read from their jobs, not from lessons)."""

import re

from jobs import services


def lab_options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="lab".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)


def test_the_lab_filter_offers_the_labs_the_learner_ran(client, lab, learner, other_user, preset):
    other_lab = lab.__class__.objects.create(
        lesson=lab.lesson, title="Another lab", slug="another", preset_config=preset
    )
    mine = services.job_submit(user=learner, config=lab.preset_config, lab=lab)
    services.job_submit(user=learner, config=lab.preset_config, lab=lab)  # listed once
    from_api = services.job_submit(user=learner, config=preset)
    theirs = services.job_submit(user=other_user, config=preset, lab=other_lab)
    client.force_login(learner)

    html = client.get("/runs/").content.decode()
    assert lab_options(html) == [(str(lab.pk), lab.title)]

    html = client.get(f"/runs/?lab={lab.pk}").content.decode()
    assert f"/runs/{mine.pk}/" in html and f"/runs/{from_api.pk}/" not in html
    assert f'<option value="{lab.pk}" selected>' in html
    assert f"/runs/{theirs.pk}/" not in html


def test_the_runs_page_reads_no_lesson_or_lab_text(client, lab, learner,
                                                   django_assert_max_num_queries):
    # Each listed run's lab gives its title: the lesson's text and the lab's instructions,
    # which every one of up to 200 rows would carry, are not read.
    for _ in range(3):
        services.job_submit(user=learner, config=lab.preset_config, lab=lab)
    client.force_login(learner)
    with django_assert_max_num_queries(6) as queries:
        html = client.get("/runs/").content.decode()
    assert html.count(f">{lab.title}</td>") == 3
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "body_html" not in read and "instructions_html" not in read
