#!/bin/sh
# Make sure VENV holds aio-wizard (with EXTRAS) installed from this checkout, bootstrapping what a
# fresh Debian box lacks: a box with only python3 has no venv module and no pip. As root we
# install python3-venv with apt-get; otherwise we say exactly what to run.
# usage: tools/ensure-venv.sh VENV [EXTRAS]      (EXTRAS e.g. "test")
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
venv=$1
extras=${2:-}

say() { printf 'aio-wizard setup: %s\n' "$*" >&2; }

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pip' >/dev/null 2>&1; then
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            say "installing python3-venv with apt-get (needed to create $venv)"
            export DEBIAN_FRONTEND=noninteractive
            apt-get install -y -q python3-venv >/dev/null 2>&1 || {
                apt-get update -q >/dev/null
                apt-get install -y -q python3-venv >/dev/null
            }
        else
            say "python3 has no venv module. Run as root, or: sudo apt-get install -y python3-venv"
            exit 2
        fi
    fi
    rm -rf "$venv"
    say "creating the virtualenv $venv"
    python3 -m venv "$venv"
fi

target="$here"
[ -n "$extras" ] && target="$here[$extras]"
stamp=$(cat "$here/pyproject.toml" | cksum | cut -d' ' -f1)-$extras
if [ "$(cat "$venv/.aio-wizard-installed" 2>/dev/null || true)" != "$stamp" ]; then
    say "installing aio-wizard${extras:+ with [$extras]} into $venv (once)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$target"
    echo "$stamp" > "$venv/.aio-wizard-installed"
fi
