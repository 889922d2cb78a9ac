"""The dlp client without a server: SSE parsing and resuming, config files, error output,
and whole commands against httpx's MockTransport."""

import io
import json
import stat
import subprocess
import sys
from contextlib import contextmanager

import httpx
import pytest

from dlclient import cli
from dlclient.api import ApiError, Client
from dlclient.files import UsageError, load_job_file, save_credentials
from dlclient.progress import Progress
from dlclient.stream import SseEvent, SseParser, StreamLost, read_events

MOONS = {
    "model": {"kind": "mlp", "hidden": [8]},
    "data": {"name": "moons"},
    "optim": {"name": "adam", "lr": 0.01, "epochs": 3},
}


def parse(text: str) -> list[SseEvent]:
    return list(SseParser().feed(text.split("\n")))


# -- SSE parsing ---------------------------------------------------------------------------------

def test_parser_reads_event_id_and_data():
    events = parse('retry: 1000\n\nid: 1\nevent: status\ndata: {"status":"queued"}\n\n')
    assert events == [SseEvent("status", '{"status":"queued"}', "1")]
    assert events[0].json() == {"status": "queued"}


def test_multi_line_data_is_joined_with_newlines():
    events = parse("data: first\ndata:second\ndata\ndata:  indented\n\n")
    assert events == [SseEvent("message", "first\nsecond\n\n indented")]


def test_comments_unknown_fields_and_empty_blocks_are_not_events():
    parser = SseParser()
    events = list(parser.feed([": keepalive", "", "retry: 2500", "", "foo: bar", "", "retry: x"]))
    assert events == []
    assert parser.retry_ms == 2500


def test_id_persists_in_the_buffer_but_an_event_carries_only_its_own():
    parser = SseParser()
    events = list(parser.feed(["id: 7", "data: a", "", "data: b", "", "id: 8\0", "data: c", ""]))
    assert [e.id for e in events] == ["7", None, None]  # an id holding NUL is ignored
    assert parser.last_event_id == "7"


def test_a_byte_order_mark_and_an_unterminated_block_are_handled():
    parser = SseParser()
    assert list(parser.feed(["\ufeffdata: x", "", "data: never dispatched"])) == [
        SseEvent("message", "x")
    ]


# -- reconnecting ------------------------------------------------------------------------------

def block(seq: int, kind: str = "metric", payload: str = "{}") -> list[str]:
    return [f"id: {seq}", f"event: {kind}", f"data: {payload}", ""]


class FakeServer:
    """Each connection plays the next script: a list of lines (an item that is an exception
    is raised there, as a dropped connection would), None (204), or an exception."""

    def __init__(self, *scripts):
        self.scripts = list(scripts)
        self.asked: list[str | None] = []

    @contextmanager
    def connect(self, last_event_id):
        self.asked.append(last_event_id)
        script = self.scripts.pop(0)
        if isinstance(script, Exception):
            raise script

        def lines():
            for item in script:
                if isinstance(item, Exception):
                    raise item
                yield item

        yield None if script is None else lines()


def test_a_dropped_connection_resumes_after_the_newest_event_without_duplicates():
    server = FakeServer(
        ["retry: 500", "", *block(1), *block(2), httpx.ReadError("connection reset")],
        [*block(2), *block(3), httpx.RemoteProtocolError("peer closed")],  # 2 is replayed
        [*block(4, "status", '{"status":"succeeded"}')],
        None,
    )
    waits: list[float] = []
    retries = []
    events = list(read_events(server.connect, sleep=waits.append,
                              on_retry=lambda last, wait, problem: retries.append(last)))
    assert [e.id for e in events] == ["1", "2", "3", "4"]
    assert server.asked == [None, "2", "3", "4"]
    assert retries == ["2", "3", "4"]
    assert waits == [0.5, 0.5, 0.5]  # the server's retry: applies to later connections


def test_reading_stops_when_the_server_answers_204():
    server = FakeServer([*block(1)], None)
    assert [e.id for e in read_events(server.connect, last_event_id="0", sleep=lambda s: None)
            ] == ["1"]
    assert server.asked == ["0", "1"]


def test_the_in_band_error_event_with_id_0_does_not_rewind_the_stream():
    server = FakeServer(
        [*block(5)],
        ["retry: 30000", "", *block(0, "error", '{"detail":"Too many open event streams"}')],
        None,
    )
    events = list(read_events(server.connect, last_event_id="4", sleep=lambda s: None))
    assert [(e.event, e.id) for e in events] == [("metric", "5"), ("error", "0")]
    assert server.asked == ["4", "5", "5"]


def test_429_waits_for_retry_after_and_401_is_not_retried():
    busy = ApiError(429, "too_many_streams", "Too many", retry_after=10)
    server = FakeServer(busy, [*block(1)], None)
    waits: list[float] = []
    assert len(list(read_events(server.connect, sleep=waits.append))) == 1
    assert waits[0] == 10

    refused = FakeServer(ApiError(401, "not_authenticated", "Log in"))
    with pytest.raises(ApiError):
        list(read_events(refused.connect, sleep=lambda s: None))


def test_a_stream_that_never_comes_back_gives_up():
    server = FakeServer(*[httpx.ConnectError("refused")] * 4)
    with pytest.raises(StreamLost, match="3 times"):
        list(read_events(server.connect, sleep=lambda s: None, max_failures=3))


# -- config files ------------------------------------------------------------------------------

def test_a_bare_json_config_is_wrapped(tmp_path):
    path = tmp_path / "job.json"
    path.write_text(json.dumps(MOONS))
    assert load_job_file(path) == {"config": MOONS}


def test_yaml_with_config_or_lab_is_sent_as_is(tmp_path):
    (tmp_path / "a.yaml").write_text("config:\n  model: {kind: mlp}\n")
    (tmp_path / "b.yml").write_text("lab: 3\nconfig:\n  optim: {lr: 0.1}\n")
    assert load_job_file(tmp_path / "a.yaml") == {"config": {"model": {"kind": "mlp"}}}
    assert load_job_file(tmp_path / "b.yml") == {"lab": 3, "config": {"optim": {"lr": 0.1}}}


@pytest.mark.parametrize(("name", "text", "message"), [
    ("missing.yaml", None, "no such file"),
    ("bad.yaml", "model:\n  kind: mlp\n hidden: [8\n", "invalid YAML at line"),
    ("bad.json", '{"model": }', "invalid JSON at line 1, column 11"),
    ("list.yaml", "- 1\n- 2\n", "expected a mapping"),
    ("empty.yml", "", "expected a mapping"),
    ("job.txt", "{}", "expected a .json, .yaml or .yml file"),
])
def test_config_file_errors_name_the_file_and_the_problem(tmp_path, name, text, message):
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(UsageError, match=message) as caught:
        load_job_file(path)
    assert str(path) in str(caught.value)


# -- errors ------------------------------------------------------------------------------------

def test_the_error_shape_prints_the_message_then_each_field():
    response = httpx.Response(400, json={"error": {
        "code": "invalid", "message": "config.optim.lr: must be greater than 0",
        "fields": {"config.optim.lr": "must be greater than 0"}}})
    error = ApiError.from_response(response)
    assert (error.status, error.code, error.fields) == (
        400, "invalid", {"config.optim.lr": "must be greater than 0"})
    assert cli.format_error(error) == (
        "error: config.optim.lr: must be greater than 0\n"
        "  config.optim.lr: must be greater than 0")
    assert cli.exit_code_for(error) == 2


def test_retry_after_comes_from_the_header():
    response = httpx.Response(503, headers={"Retry-After": "30"}, json={"error": {
        "code": "queue_full", "message": "The queue is full.", "fields": {}}})
    error = ApiError.from_response(response)
    assert error.retry_after == 30
    assert "retry after 30 s" in cli.format_error(error)
    assert cli.exit_code_for(error) == 3


def test_a_body_in_another_shape_is_printed_raw():
    error = ApiError.from_response(httpx.Response(502, text="<html>Bad Gateway</html>"))
    assert error.code == "http_502" and error.fields == {}
    assert cli.format_error(error) == (
        "error: HTTP 502 Bad Gateway\n  server said: <html>Bad Gateway</html>")
    old_style = ApiError.from_response(httpx.Response(400, json={"lr": ["too big"]}))
    assert '  server said: {"lr":["too big"]}' in cli.format_error(old_style)


# -- progress ----------------------------------------------------------------------------------

EPOCH = {"scope": "epoch", "epoch": 2, "epochs": 3, "train_loss": 0.5, "val_loss": 0.25,
         "train_accuracy": 0.8, "val_accuracy": 0.875}


def test_without_a_terminal_each_epoch_is_one_plain_line():
    out = io.StringIO()
    progress = Progress(out, tty=False, job_id=9)
    progress.handle("status", {"status": "running"})
    progress.handle("metric", {"scope": "step", "epoch": 2, "step": 5, "train_loss": 0.6})
    progress.handle("metric", EPOCH)
    progress.handle("status", {"status": "succeeded", "result": {"val_accuracy": 0.875}})
    assert out.getvalue() == (
        "job 9 running\n"
        "epoch 2/3  train loss 0.5000  train acc 0.8000  val loss 0.2500  val acc 0.8750\n"
        "job 9 succeeded: val_accuracy 0.8750\n")
    assert "\r" not in out.getvalue()


def test_early_stop_names_the_lowest_loss_epoch_under_both_names_and_the_restore():
    out = io.StringIO()
    progress = Progress(out, tty=False)
    progress.handle("early_stop", {"epoch": 9, "best_val_loss_epoch": 4, "patience": 5})
    progress.handle("early_stop", {"epoch": 8, "best_epoch": 3, "patience": 5})  # stored before
    progress.handle("weights_restored", {"epoch": 9, "weights_epoch": 4, "val_loss": 0.3})
    assert out.getvalue().splitlines() == [
        "early stop at epoch 9 (lowest validation loss at epoch 4)",
        "early stop at epoch 8 (lowest validation loss at epoch 3)",
        "restored the weights of epoch 4 (lowest validation loss); final metrics are that "
        "epoch's",
    ]


def test_on_a_terminal_the_bar_is_redrawn_in_place(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = io.StringIO()
    progress = Progress(out, tty=True)
    progress.handle("info", {"epochs": 4, "steps_per_epoch": 10})
    progress.handle("metric", dict(EPOCH, epochs=4, epoch=1))
    progress.handle("metric", {"scope": "step", "epoch": 2, "step": 15, "train_loss": 0.4})
    text = out.getvalue()
    assert text.count("\r\x1b[K") == 2
    assert "epoch 2/4 [#########...............]  38%" in text  # 1.5 of 4 epochs
    progress.handle("status", {"status": "failed", "error": "diverged"})
    assert out.getvalue().endswith("val loss 0.2500 acc 0.875\njob failed: diverged\n")


# -- whole commands over a mock transport ------------------------------------------------------

@pytest.fixture
def mock_server(monkeypatch, tmp_path):
    """Route dlp's HTTP to `handler` (set by the test); credentials go to tmp_path."""
    monkeypatch.setenv("DLP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("DLP_URL", "http://dlp.test")
    monkeypatch.delenv("DLP_TOKEN", raising=False)
    state = {"handler": None, "requests": []}

    def handle(request):
        state["requests"].append(request)
        return state["handler"](request)

    real_client = Client
    monkeypatch.setattr(cli, "Client", lambda url, token: real_client(
        url, token, transport=httpx.MockTransport(handle)))
    return state


def test_login_saves_the_token_readable_only_by_its_owner(mock_server, monkeypatch, tmp_path,
                                                          capsys):
    mock_server["handler"] = lambda request: httpx.Response(201, json={
        "token": "dlp_secret", "id": 1, "name": "cli", "prefix": "dlp_secr", "created": "now"})
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    assert cli.main(["login", "--username", "ada", "--password-stdin"]) == 0
    assert json.loads(mock_server["requests"][0].content) == {"username": "ada",
                                                               "password": "pw"}
    path = tmp_path / "config" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["token"] == "dlp_secret"
    assert cli.resolve_settings(None, None).token == "dlp_secret"
    # Another server does not get this server's token.
    assert cli.resolve_settings("http://elsewhere.test", None).token is None


def test_a_refused_config_exits_2_naming_the_field(mock_server, tmp_path, capsys):
    save_credentials("http://dlp.test", "dlp_key", "ada")
    mock_server["handler"] = lambda request: httpx.Response(400, json={"error": {
        "code": "invalid", "message": "config.optim.lr: must be greater than 0 (got -1)",
        "fields": {"config.optim.lr": "must be greater than 0 (got -1)"}}})
    path = tmp_path / "job.yaml"
    path.write_text("model: {kind: mlp}\noptim: {lr: -1}\n")
    assert cli.main(["submit", str(path)]) == 2
    assert mock_server["requests"][0].headers["Authorization"] == "Token dlp_key"
    err = capsys.readouterr().err
    assert "  config.optim.lr: must be greater than 0 (got -1)" in err
    assert "Traceback" not in err


def test_local_mistakes_exit_2_without_asking_the_server(mock_server, tmp_path, capsys):
    assert cli.main(["submit", str(tmp_path / "nope.yaml")]) == 2
    assert cli.main(["predict", "1", "--inputs", "[[1, 2]"]) == 2
    assert mock_server["requests"] == []
    err = capsys.readouterr().err
    assert "nope.yaml: no such file." in err and "--inputs: invalid JSON" in err


def test_an_unreachable_server_exits_3(mock_server, capsys):
    def refuse(request):
        raise httpx.ConnectError("Connection refused")

    mock_server["handler"] = refuse
    assert cli.main(["show", "1"]) == 3
    assert "Cannot reach http://dlp.test: Connection refused" in capsys.readouterr().err


def test_follow_exits_0_on_success_and_1_on_failure(mock_server, capsys):
    def stream(final: str):
        body = "".join([
            "retry: 1000\n\n",
            'id: 1\nevent: status\ndata: {"status":"running","attempt":1}\n\n',
            f"id: 2\nevent: metric\ndata: {json.dumps(dict(EPOCH, epoch=3))}\n\n",
            ": keepalive\n\n",
            f'id: 3\nevent: status\ndata: {{"status":"{final}","error":"","result":{{}}}}\n\n',
        ])

        def handle(request):
            if request.url.path == "/api/v1/jobs/4/":
                return httpx.Response(200, json={"id": 4, "status": "running", "config": MOONS})
            assert request.url.path == "/api/v1/jobs/4/events/"
            return httpx.Response(200, text=body, headers={"Content-Type": "text/event-stream"})

        return handle

    mock_server["handler"] = stream("succeeded")
    assert cli.main(["follow", "4"]) == 0
    assert "epoch 3/3" in capsys.readouterr().out
    mock_server["handler"] = stream("cancelled")
    assert cli.main(["follow", "4"]) == 1
    assert capsys.readouterr().out.endswith("job 4 cancelled\n")


@pytest.mark.parametrize("name", ["stream-error", "error"])  # today's server, and older ones
def test_follow_prints_the_servers_stream_error_and_goes_on(mock_server, capsys, name):
    body = "".join([
        "retry: 1000\n\n",
        f'id: 0\nevent: {name}\ndata: {{"detail":"Too many open event streams"}}\n\n',
        'id: 1\nevent: status\ndata: {"status":"succeeded","error":"","result":{}}\n\n',
    ])

    def handle(request):
        if request.url.path == "/api/v1/jobs/4/":
            return httpx.Response(200, json={"id": 4, "status": "running", "config": MOONS})
        return httpx.Response(200, text=body, headers={"Content-Type": "text/event-stream"})

    mock_server["handler"] = handle
    assert cli.main(["follow", "4"]) == 0
    assert "server: Too many open event streams" in capsys.readouterr().err


def test_list_filters_by_status_and_prints_a_table(mock_server, capsys):
    jobs = [{"id": i, "status": "succeeded" if i % 2 else "failed", "config": MOONS,
             "result": {"val_accuracy": 0.9}, "created_at": "2026-11-25T10:00:00Z"}
            for i in range(6, 0, -1)]
    mock_server["handler"] = lambda request: httpx.Response(200, json={
        "count": 6, "next": None, "previous": None, "results": jobs})
    assert cli.main(["list", "--status", "succeeded", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "MODEL", "DATA", "EPOCHS", "VAL_ACC", "CREATED"]
    assert [line.split()[:2] for line in lines[1:]] == [["5", "succeeded"], ["3", "succeeded"]]


def test_the_client_imports_no_django():
    """It must run where only httpx and pyyaml are installed."""
    probe = ("import sys, dlclient.cli, dlclient.__main__; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('django', 'rest_framework', 'torch', 'training_worker', 'dlplatform')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=30, check=True)
    assert done.stdout.strip() == "[]"


def test_follow_of_a_job_that_is_not_there_fails_at_once(mock_server, capsys):
    mock_server["handler"] = lambda request: httpx.Response(404, json={"error": {
        "code": "not_found", "message": "No such job.", "fields": {}}})
    assert cli.main(["follow", "77"]) == 2
    assert len(mock_server["requests"]) == 1
    assert capsys.readouterr().err == "error: No such job.\n"


def test_download_saves_under_the_servers_name_and_leaves_nothing_on_error(
        mock_server, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    mock_server["handler"] = lambda request: httpx.Response(
        200, content=b"seq,epoch\n1,1\n",
        headers={"Content-Disposition": 'attachment; filename="run_5_metrics.csv"'})
    assert cli.main(["download", "5"]) == 0
    assert (tmp_path / "run_5_metrics.csv").read_bytes() == b"seq,epoch\n1,1\n"
    assert mock_server["requests"][0].url.path == "/api/v1/jobs/5/export.csv"

    mock_server["handler"] = lambda request: httpx.Response(404, json={"error": {
        "code": "not_found", "message": "This job has no trained model.", "fields": {}}})
    assert cli.main(["download", "5", "--format", "model", "-o", "weights.pt"]) == 2
    assert [path.name for path in tmp_path.iterdir()] == ["run_5_metrics.csv"]  # no .part
