"""Command line: parse arguments, then hand over to one module in ``wizard.commands``.

Kept deliberately light: ``--help``, ``--version`` and every non-interactive subcommand must not
import textual (the TUI costs ~0.2 s to import and is useless on a serial console), so each
subcommand's module is imported only when that subcommand runs.

Exit codes: 0 done, 1 a step failed, 2 bad input or usage, 3 the wizard could not write its state
or logs (full disk, read-only: free space and run again to resume), 4 the run finished with skipped
steps (not a complete install), 130 interrupted.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
from collections.abc import Callable, Sequence

from wizard import __version__
from wizard.errors import UserError
from wizard.service.options import DEFAULT_LOG_DIR, DEFAULT_STATE_DIR

EPILOG = """\
exit codes: 0 done, 1 a step failed, 2 bad input or usage, 3 could not write its
state or logs (full disk, read-only: fix it and run again to resume),
4 finished with skipped steps (not a complete install), 130 interrupted

On a machine that must not be changed, run with --dry-run: the whole wizard works,
and at the end it shows (and can save) the plan instead of running it.
"""


#: Options the top level and some subcommands share: flags, argparse keywords, the default.
SHARED_OPTIONS: dict[str, tuple[tuple[str, ...], dict[str, object], object]] = {
    "dry_run": (("--dry-run",), {"action": "store_true"}, False),
    "answers": (("--answers",), {"metavar": "FILE"}, None),
    "verbose": (("--verbose", "-v"), {"action": "store_true"}, False),
    # A plan of arbitrary harmless steps (YAML) instead of the Kolla pipeline: used by the tests.
    "steps_file": (("--steps-file",), {"metavar": "FILE"}, None),
    "allow_templates": (("--allow-templates",), {"action": "store_true"}, False),
}

ALLOW_TEMPLATES_HELP = (
    "keep Jinja templating ({{ }}, {%% %%}, {# #}) in the answers file's values: "
    "Ansible will evaluate it as root on this host (refused by default: answers files are shared)"
)
TEMPLATES_WARNING = (
    "aio-wizard: warning: --allow-templates: Jinja templating in the answers file is kept, "
    "and Ansible will evaluate it as root on this host (a lookup('pipe', ...) runs a command)"
)


def _add_global_options(parser: argparse.ArgumentParser, *, top: bool, **shared: str) -> None:
    """Global options, accepted before or after the subcommand, and the ``shared`` ones (name=help).

    The top-level parser gives every option its default, so each is always in the namespace; on
    subparsers they default to SUPPRESS so a value given before the subcommand is not
    overwritten by the subparser's default.
    """
    default = (lambda v: v) if top else (lambda v: argparse.SUPPRESS)
    parser.add_argument(
        "--state-dir",
        default=default(DEFAULT_STATE_DIR),
        metavar="DIR",
        help=f"where the journal and the lock live (default {DEFAULT_STATE_DIR})",
    )
    parser.add_argument(
        "--log-dir",
        default=default(DEFAULT_LOG_DIR),
        metavar="DIR",
        help=f"where each step's log goes (default {DEFAULT_LOG_DIR})",
    )
    # Describe the host from a `probe --json` file instead of probing this machine
    # (tests, screenshots, demos, planning for another box).
    parser.add_argument("--host-facts", default=default(None), metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="log every detail to <state-dir>/debug.log (errors are always logged there)",
    )
    parser.add_argument("--version", action="version", version=f"aio-wizard {__version__}")
    _add_shared_options(parser, top=top, **shared)


def _add_shared_options(parser: argparse.ArgumentParser, *, top: bool, **shared: str) -> None:
    for name, help_text in shared.items():
        flags, options, value = SHARED_OPTIONS[name]
        parser.add_argument(*flags, default=value if top else argparse.SUPPRESS, help=help_text, **options)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aio-wizard",
        description="Take a fresh Debian host (arm64 or x86_64) to an OpenStack All-in-One with Kolla-Ansible.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_global_options(parser, top=True, dry_run="change nothing: end with the plan instead of running it")
    parser.add_argument(
        "--plain", action="store_true", help="line prompts instead of the full-screen UI (serial consoles)"
    )
    # the host's files under this directory (tests): what "Destroy and start over" removes
    parser.add_argument("--root", default=None, help=argparse.SUPPRESS)
    _add_shared_options(
        parser,
        top=True,
        answers="answers YAML whose values become the defaults",
        allow_templates=ALLOW_TEMPLATES_HELP,
        verbose="with --plain: print every log line of each step",
        steps_file=argparse.SUPPRESS,
    )

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str, **shared: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_global_options(p, top=False, **shared)
        return p

    p = add("probe", "host facts, preflight checks, detected defaults with reasons")
    p.add_argument("--json", action="store_true", help="print the same as JSON")
    p.add_argument("--offline", action="store_true", help="skip the checks that send packets (downloads, VIP)")

    p = add("validate", "check an answers file: every problem at once as FILE:LINE: key: message")
    p.add_argument("file", metavar="FILE")
    _add_shared_options(p, top=False, allow_templates=ALLOW_TEMPLATES_HELP)

    p = add("export", "write the answers as YAML (defaults detected from this host, --answers applied)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    _add_shared_options(
        p, top=False, answers="answers to apply over the defaults", allow_templates=ALLOW_TEMPLATES_HELP
    )

    p = add("plan", "every step with its exact commands and the files it writes; changes nothing")
    _add_shared_options(p, top=False, answers="answers to plan with", allow_templates=ALLOW_TEMPLATES_HELP)
    p.add_argument("--release", metavar="R", help="plan this OpenStack release (even one this host cannot run)")
    p.add_argument("--json", action="store_true", help="print the plan as one JSON object (commands with their env)")

    p = add("run", "run the install from an answers file")
    _add_shared_options(p, top=False, answers="the answers to install with", allow_templates=ALLOW_TEMPLATES_HELP)
    p.add_argument("--non-interactive", action="store_true", help="never ask: fail on missing answers or a failed step")
    p.add_argument("--from", dest="from_step", metavar="STEP", help="start at this step")
    p.add_argument("--until", dest="until_step", metavar="STEP", help="stop after this step")
    _add_shared_options(
        p, top=False, dry_run="print the plan instead", verbose="print every log line", steps_file=argparse.SUPPRESS
    )

    p = add("status", "the current install's progress")
    p.add_argument(
        "--follow", action="store_true", help="print progress lines until the install ends; exit with its exit code"
    )
    _add_shared_options(p, top=False, verbose="with --follow: print every log line")

    add("stop", "stop the running install: its step is stopped, the journal says interrupted (resumable)")
    _add_after_install(add)
    return parser


def _add_after_install(add: Callable[..., argparse.ArgumentParser]) -> None:
    """``bundle``, ``destroy``, ``recover-mariadb`` (wizard.support): when an install went wrong."""
    from wizard.support.limits import BUNDLE_LIMIT_MIB, STEP_LOG_TAIL_MIB

    p = add(
        "bundle",
        f"write a redacted support bundle (tar.gz, 0600, at most {BUNDLE_LIMIT_MIB} MiB) to attach to a bug report",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help=f"a file, a directory to write aio-wizard-bundle-HOST-TIME.tar.gz in (default: the current one), "
        f"or - for standard output. It holds "
        f"the journal, the step logs (the last {STEP_LOG_TAIL_MIB} MiB of each), probe --json, the answers, the "
        "globals and inventory, versions, ip addr/route, free, df, docker ps -a and the containers' log tails; "
        "never passwords.yml, and every secret is replaced by ********",
    )
    p.add_argument("--root", help=argparse.SUPPRESS)  # read host files under this directory (tests)

    p = add(
        "destroy",
        "remove the All-in-One to start over: kolla-ansible destroy, /etc/kolla, the virtualenv, the journal",
        dry_run="print exactly what it would do and change nothing",
    )
    p.add_argument("--include-images", action="store_true", help="remove the container images too")
    p.add_argument(
        "--yes-i-really-mean-it",
        dest="confirm",
        metavar="HOSTNAME",
        help="confirm without a prompt (unattended): must be this host's name",
    )
    p.add_argument("--root", help=argparse.SUPPRESS)

    p = add(
        "recover-mariadb",
        "kolla-ansible's MariaDB recovery, by the installed release's name: MariaDB did not come back after a "
        "reboot or an interrupted deploy",
        dry_run="print the command and change nothing",
    )
    p.add_argument("--root", help=argparse.SUPPRESS)


def main(argv: Sequence[str] | None = None) -> int:
    from wizard.ui.charset import ascii_stdio

    # Every line any command prints (and the outcome after the TUI) is ASCII on a terminal that is
    # not UTF-8 (LANG=C): the core's text keeps its typography, the journal and logs stay UTF-8.
    with ascii_stdio():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # every global and shared option has its top-level default
    module_name = (args.command or "interactive").replace("-", "_")
    if args.allow_templates:  # said before anything runs (and before the TUI takes the screen)
        print(TEMPLATES_WARNING, file=sys.stderr)
    try:
        module = importlib.import_module(f"wizard.commands.{module_name}")
        return int(module.run(args) or 0)
    except UserError as exc:
        print(f"aio-wizard: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("aio-wizard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            raise
        # a write the wizard did not expect to fail (its own state is StateWriteError already)
        print(f"aio-wizard: {exc.filename or 'write'}: {exc.strerror}", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
