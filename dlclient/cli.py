"""`dlp`: argument parsing, where the server and token come from, and exit codes.

Exit codes: 0 done (a followed job succeeded); 1 a followed job failed or was cancelled;
2 bad input (a missing or invalid file, a 4xx answer such as a config the server refused);
3 the server is unreachable, busy (429/503) or broken (5xx); 130 interrupted.
Errors are printed on stderr as sentences, never as tracebacks.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import dataclass
from typing import TextIO

from dlclient import __version__, commands
from dlclient.api import ApiError, Client
from dlclient.files import UsageError, load_credentials, save_credentials
from dlclient.stream import StreamLost

DEFAULT_URL = "http://127.0.0.1:8000"
EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3


@dataclass(frozen=True)
class Settings:
    url: str
    token: str | None


def resolve_settings(url: str | None, token: str | None) -> Settings:
    """--url, else DLP_URL, else the server of `dlp login`, else the local default.

    The saved token is used only for the server it was issued by: pointing the CLI at
    another server must not send it a key it has no business seeing.
    """
    saved = load_credentials()
    url = (url or os.environ.get("DLP_URL") or saved.get("url") or DEFAULT_URL).rstrip("/")
    token = token or os.environ.get("DLP_TOKEN")
    if not token and str(saved.get("url", "")).rstrip("/") == url:
        token = saved.get("token")
    return Settings(url=url, token=token)


def format_error(error: ApiError) -> str:
    """The message, then each offending field on its own line; the raw body when the server
    did not answer in the error shape."""
    lines = [f"error: {error.message}"]
    lines += [f"  {field}: {reason}" for field, reason in error.fields.items()]
    if error.raw.strip():
        lines.append(f"  server said: {error.raw.strip()}")
    if error.retry_after is not None:
        lines.append(f"  retry after {error.retry_after:g} s")
    if error.status == 401:
        lines.append("  log in first: dlp login --username NAME (or set DLP_TOKEN)")
    return "\n".join(lines)


def exit_code_for(error: ApiError) -> int:
    return EXIT_BAD_INPUT if 400 <= error.status < 500 and error.status != 429 \
        else EXIT_UNAVAILABLE


# -- argument parsing --------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlp", description="Submit, follow and manage training jobs over the API.",
        epilog="Exit codes: 0 ok, 1 followed job failed or cancelled, 2 bad input, "
               "3 server unavailable, 130 interrupted.")
    parser.add_argument("--version", action="version", version=f"dlp {__version__}")
    _add_server_options(parser, default=None)
    sub = _SubcommandsWithServerOptions(parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND"))

    login = sub.add_parser("login", help="get a token and save it")
    login.add_argument("--username", required=True)
    login.add_argument("--password-stdin", action="store_true",
                       help="read the password from standard input")
    login.add_argument("--name", help="a label for the token (default: cli)")

    submit = sub.add_parser("submit", help="submit a job from a .json/.yaml config file")
    submit.add_argument("file")
    submit.add_argument("--follow", action="store_true", help="then follow it")

    follow = sub.add_parser("follow", help="follow a job live until it ends")
    follow.add_argument("job_id", type=int)

    for name, text in [("cancel", "cancel a job"), ("show", "a job as JSON")]:
        sub.add_parser(name, help=text).add_argument("job_id", type=int)

    jobs = sub.add_parser("list", help="your jobs, newest first")
    jobs.add_argument("--status", choices=["queued", "running", "succeeded", "failed",
                                           "cancelled"])
    jobs.add_argument("--limit", type=_positive, default=20)

    down = sub.add_parser("download", help="a job's history (csv, json) or trained model")
    down.add_argument("job_id", type=int)
    down.add_argument("--format", choices=list(commands.DOWNLOADS), default="csv")
    down.add_argument("-o", "--output", help="file or directory (`-` for stdout)")

    deploy = sub.add_parser("deploy", help="deploy a succeeded job's model")
    deploy.add_argument("job_id", type=int)
    deploy.add_argument("--name")

    sub.add_parser("models", help="your deployed models")

    export = sub.add_parser("model-download", help="a deployed model as TorchScript or ONNX")
    export.add_argument("model_id", type=int)
    export.add_argument("--format", choices=list(commands.MODEL_EXPORTS), required=True)
    export.add_argument("-o", "--output", help="file or directory (`-` for stdout)")

    predict = sub.add_parser("predict", help="predict with a deployed model")
    predict.add_argument("model_id", type=int)
    predict.add_argument("--inputs", required=True,
                         help="a JSON list of inputs, @FILE, or - for stdin")
    return parser


def _add_server_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--url", default=default,
                        help=f"server (env DLP_URL; default {DEFAULT_URL})")
    parser.add_argument("--token", default=default,
                        help="API token (env DLP_TOKEN; default: `dlp login`'s)")


class _SubcommandsWithServerOptions:
    """Gives every subcommand --url and --token too, so `dlp login --url …` works as well as
    `dlp --url … login`. A subcommand's copy defaults to SUPPRESS: given only before the
    subcommand, the value is not overwritten by the subcommand's own None."""

    def __init__(self, subparsers) -> None:
        self._subparsers = subparsers

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        parser = self._subparsers.add_parser(name, **kwargs)
        _add_server_options(parser, default=argparse.SUPPRESS)
        return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return int(text)


# -- running -----------------------------------------------------------------------------------

def run(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    with Client(settings.url, settings.token) as client:
        if args.command == "login":
            return _login(client, args, settings, err)
        if args.command == "submit":
            return commands.submit(client, args.file, follow=args.follow, out=out, err=err)
        if args.command == "follow":
            return commands.follow_job(client, args.job_id, out=out, err=err)
        if args.command == "cancel":
            return commands.cancel(client, args.job_id, out=out)
        if args.command == "show":
            return commands.show(client, args.job_id, out=out)
        if args.command == "list":
            return commands.list_jobs(client, status=args.status, limit=args.limit, out=out)
        if args.command == "download":
            route, name = commands.DOWNLOADS[args.format]
            return commands.download(client, route.format(id=args.job_id),
                                     name.format(id=args.job_id), args.output, out=out, err=err)
        if args.command == "model-download":
            route, name = commands.MODEL_EXPORTS[args.format]
            return commands.download(client, route.format(id=args.model_id),
                                     name.format(id=args.model_id), args.output, out=out,
                                     err=err)
        if args.command == "deploy":
            return commands.deploy(client, args.job_id, args.name, out=out)
        if args.command == "models":
            return commands.models(client, out=out)
        if args.command == "predict":
            return commands.predict(client, args.model_id, args.inputs, out=out)
    raise UsageError(f"unknown command {args.command}")


def _login(client: Client, args: argparse.Namespace, settings: Settings, err: TextIO) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {args.username} at {settings.url}: ")
    if not password:
        raise UsageError("No password given.")
    token = client.login(args.username, password, args.name)
    path = save_credentials(settings.url, token, args.username)
    err.write(f"logged in to {settings.url} as {args.username}; token saved in {path}\n")
    return commands.EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out, err = sys.stdout, sys.stderr
    try:
        return run(args, resolve_settings(args.url, args.token), out, err)
    except UsageError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_BAD_INPUT
    except ApiError as exc:
        err.write(format_error(exc) + "\n")
        return exit_code_for(exc)
    except StreamLost as exc:
        err.write(f"error: {exc}\n")
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return commands.EXIT_INTERRUPTED
    except BrokenPipeError:
        # `dlp list | head`: the reader left; say nothing more and do not fail loudly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return commands.EXIT_OK

