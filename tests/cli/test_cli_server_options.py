"""--url and --token are accepted before the subcommand and after it (`dlp login --url …`)."""

import io

import httpx
import pytest

from dlclient import cli
from dlclient.api import Client


@pytest.mark.parametrize("argv", [
    ["--url", "http://a.test", "--token", "k", "show", "3"],
    ["show", "3", "--url", "http://a.test", "--token", "k"],
    ["show", "--url", "http://a.test", "3", "--token", "k"],
])
def test_server_options_are_read_on_either_side_of_the_subcommand(argv):
    args = cli.build_parser().parse_args(argv)
    assert (args.url, args.token, args.job_id) == ("http://a.test", "k", 3)


def test_without_server_options_they_stay_unset_for_the_environment_to_fill():
    args = cli.build_parser().parse_args(["models"])
    assert (args.url, args.token) == (None, None)


def test_the_subcommands_url_wins_over_the_one_before_it():
    args = cli.build_parser().parse_args(["--url", "http://a.test", "models", "--url",
                                          "http://b.test"])
    assert args.url == "http://b.test"


def test_login_with_url_after_the_subcommand_logs_in_to_that_server(monkeypatch, tmp_path):
    monkeypatch.setenv("DLP_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("DLP_URL", raising=False)
    monkeypatch.delenv("DLP_TOKEN", raising=False)
    requests = []

    def answer(request):
        requests.append(request)
        return httpx.Response(201, json={"token": "dlp_k", "id": 1, "name": "cli",
                                         "prefix": "dlp_k", "created": "now"})

    monkeypatch.setattr(cli, "Client", lambda url, token: Client(
        url, token, transport=httpx.MockTransport(answer)))
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    argv = ["login", "--url", "http://remote.test:8123", "--username", "ada",
            "--password-stdin"]
    assert cli.main(argv) == 0
    assert str(requests[0].url) == "http://remote.test:8123/api/v1/auth/token/"
    assert cli.resolve_settings(None, None).url == "http://remote.test:8123"
