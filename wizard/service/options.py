""":class:`InstallOptions`: the command line, typed, built once from argparse.

Passing an ``argparse.Namespace`` around let every module guess at attribute names with
``getattr(args, "x", None)``; a frozen dataclass says which options exist and what they hold.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

DEFAULT_STATE_DIR = "/var/lib/aio-wizard"
DEFAULT_LOG_DIR = "/var/log/aio-wizard"


@dataclass(frozen=True)
class InstallOptions:
    """Every option that shapes an install, whichever command or front end was started."""

    state_dir: Path = Path(DEFAULT_STATE_DIR)
    log_dir: Path = Path(DEFAULT_LOG_DIR)
    host_facts: str | None = None  # a `probe --json` file instead of probing this host
    answers: str | None = None  # an answers YAML
    steps_file: str | None = None  # a plan of harmless test steps instead of the Kolla pipeline
    dry_run: bool = False
    non_interactive: bool = False
    from_step: str | None = None
    until_step: str | None = None
    release: str | None = None
    verbose: bool = False
    debug: bool = False
    plain: bool = False
    allow_templates: bool = False  # keep Jinja in the answers file's values (refused by default)
    kolla_dir: Path = Path("/etc/kolla")
    root: Path = Path("/")  # the host's files under this directory (tests): what destroy removes

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> InstallOptions:
        """The options of a parsed command line (subcommands lack some options: their defaults apply)."""
        values = vars(args)

        def opt(name: str, default: object = None) -> object:
            value = values.get(name, default)
            return default if value is None else value

        return cls(
            state_dir=Path(str(opt("state_dir", DEFAULT_STATE_DIR))),
            log_dir=Path(str(opt("log_dir", DEFAULT_LOG_DIR))),
            host_facts=_str_or_none(values.get("host_facts")),
            answers=_str_or_none(values.get("answers")),
            steps_file=_str_or_none(values.get("steps_file")),
            dry_run=bool(opt("dry_run", False)),
            non_interactive=bool(opt("non_interactive", False)),
            from_step=_str_or_none(values.get("from_step")),
            until_step=_str_or_none(values.get("until_step")),
            release=_str_or_none(values.get("release")),
            verbose=bool(opt("verbose", False)),
            debug=bool(opt("debug", False)),
            plain=bool(opt("plain", False)),
            allow_templates=bool(opt("allow_templates", False)),
            root=Path(str(opt("root", "/"))),
        )


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
