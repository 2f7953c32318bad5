"""`aio-wizard probe [--json]`: host facts, preflight checks and detected defaults with reasons.

Read-only and light: it never imports textual, so it works on a serial console and as the
first thing to run on a box that must not be changed. The exit code is 0 whatever the checks
say; the report is the answer. ``--host-facts FILE`` replays a captured host instead (without
the checks that send packets, which ``--offline`` also leaves out: they take up to 5 seconds).
"""

from __future__ import annotations

import argparse
import json
import sys

from wizard.answers.defaults import detected_defaults
from wizard.host.probe import live_network_probe, load_facts
from wizard.preflight.checks import preflight_checks
from wizard.preflight.report import probe_document, render_report


def run(args: argparse.Namespace) -> int:
    from wizard.answers.resolve import resolve_answers

    facts = load_facts(args.host_facts)
    answers = resolve_answers(facts).values  # what an install would start from, haproxy and VIP included
    live = live_network_probe(args.host_facts, offline=getattr(args, "offline", False))
    checks = preflight_checks(facts, answers=answers, live=live)
    defaults = detected_defaults(facts)
    if args.json:
        sys.stdout.write(json.dumps(probe_document(facts, checks, defaults), indent=2, sort_keys=False) + "\n")
    else:
        sys.stdout.write(render_report(facts, checks, defaults))
    sys.stdout.flush()
    return 0
