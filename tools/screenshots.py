"""Regenerate ``screenshots/*.svg``: every screen of the TUI in a known state, at 100x30.

    python tools/screenshots.py [--out screenshots] [--size 100x30]

The host is the guide's (``tests/support/guide-host.json``: arm64, Debian 12, enp1s0 on
10.1.1.0/24 and a second NIC without an address); the install is replayed from the runner's own
events with a fixed clock (:mod:`wizard.ui.tui.demo`), so the pictures are the same on every
machine and nothing is installed. Nothing is written outside the output directory and a
temporary state directory.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from wizard.host.facts import HostFacts  # noqa: E402
from wizard.ui.tui.app import WizardApp, create_app  # noqa: E402
from wizard.ui.tui.demo import FixedClock, done_script, failed_script, mid_run_script, scripted_factory  # noqa: E402

FACTS = REPO / "tests" / "support" / "guide-host.json"

Prepare = Callable[[object], Awaitable[None]]


async def _settle(pilot, condition: Callable[[], bool] = lambda: True) -> None:
    for _ in range(200):
        if condition():
            break
        await pilot.pause(0.05)
    await pilot.pause()


async def _bad_vip(pilot) -> None:
    await pilot.pause()
    pilot.app.screen.field(
        "kolla_internal_vip_address"
    ).editor.value = "10.9.9.9"  # the snapshot test's value: they are compared
    await pilot.press("ctrl+n")
    await pilot.pause()


def shots(tmp: Path) -> list[tuple[str, Callable[[], WizardApp], Prepare]]:
    facts = HostFacts.load(FACTS)
    base = {"facts": facts, "state_dir": str(tmp / "state"), "log_dir": str(tmp / "log"), "kolla_dir": "/etc/kolla"}

    def app(script=None, **kw) -> Callable[[], WizardApp]:
        factory = scripted_factory(script) if script else None
        return lambda: create_app(clock=FixedClock(), runner_factory=factory, **base, **kw)

    return [
        ("host", app(), _settle),
        ("questions-validation-error", app(start="questions"), _bad_vip),
        ("review", app(start="review", dry_run=True), _settle),
        ("progress", app(start="progress", script=mid_run_script()), lambda p: _settle(p, lambda: _has_substatus(p))),
        ("failed-step", app(start="progress", script=failed_script()), lambda p: _settle(p, lambda: _failed(p))),
        ("done", app(start="progress", script=done_script()), lambda p: _settle(p, lambda: _is(p, "DoneScreen"))),
    ]


def _has_substatus(pilot) -> bool:
    found = pilot.app.screen.query("#substatus")
    return bool(found) and "PLAY" in str(found.first().render())


def _failed(pilot) -> bool:
    return getattr(pilot.app.screen, "pending_failure", None) is not None


def _is(pilot, name: str) -> bool:
    return type(pilot.app.screen).__name__ == name


async def take(out: Path, size: tuple[int, int]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="aio-wizard-shots-") as tmp:
        for name, make, prepare in shots(Path(tmp)):
            app = make()
            async with app.run_test(size=size) as pilot:
                await prepare(pilot)
                app.save_screenshot(f"{name}.svg", path=str(out))
            written.append(out / f"{name}.svg")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "screenshots"))
    parser.add_argument("--size", default="100x30", help="COLUMNSxROWS")
    args = parser.parse_args(argv)
    cols, rows = (int(v) for v in args.size.lower().split("x"))
    for path in asyncio.run(take(Path(args.out), (cols, rows))):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
