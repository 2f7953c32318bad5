"""How fast ``aio-wizard --help`` starts, against ``kolla-ansible --help``, in the same run.

The operator types ``--help`` first; it must feel instant and must never pay for the TUI. The
baseline is kolla-ansible 22.2.0's own ``--help`` (a cliff app), installed once into a cached
virtualenv. Runs alternate (A, B, A, B, ...) so drift in the machine's load hits both alike.

    python benchmarks/bench_help.py [--runs 15]

Prints the median and best wall time of each and the ratio aio-wizard / kolla-ansible.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
KOLLA_VENV = CACHE / "kolla-ansible-22.2.0"


def ensure_kolla_ansible() -> Path:
    exe = KOLLA_VENV / "bin" / "kolla-ansible"
    if not exe.exists():
        print(f"installing kolla-ansible 22.2.0 into {KOLLA_VENV} (once)", file=sys.stderr)
        shutil.rmtree(KOLLA_VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(KOLLA_VENV)], check=True)
        subprocess.run(
            [str(KOLLA_VENV / "bin/pip"), "install", "-q", "--disable-pip-version-check", "kolla-ansible==22.2.0"],
            check=True,
        )
    return exe


def wizard_exe() -> list[str]:
    found = shutil.which("aio-wizard", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "wizard"]


def time_once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    opts = parser.parse_args()
    kolla = [str(ensure_kolla_ansible()), "--help"]
    wizard = [*wizard_exe(), "--help"]
    for argv in (kolla, wizard):  # warm the page cache once
        time_once(argv)
    a: list[float] = []
    b: list[float] = []
    for _ in range(opts.runs):
        a.append(time_once(wizard))
        b.append(time_once(kolla))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"aio-wizard --help     median {ma * 1000:7.1f} ms   best {min(a) * 1000:7.1f} ms")
    print(f"kolla-ansible --help  median {mb * 1000:7.1f} ms   best {min(b) * 1000:7.1f} ms")
    print(f"ratio aio-wizard / kolla-ansible (median): {ma / mb:.2f}")
    return 0 if ma <= mb else 1


if __name__ == "__main__":
    raise SystemExit(main())
