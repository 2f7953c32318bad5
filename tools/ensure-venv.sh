#!/bin/sh
# Make sure VENV holds aio-wizard (with EXTRAS) installed from this checkout, bootstrapping what a
# fresh Debian box lacks: a box with only python3 has no venv module and no pip. As root we
# install python3-venv with apt-get; otherwise we say exactly what to run.
# usage: tools/ensure-venv.sh VENV [EXTRAS]      (EXTRAS e.g. "test"; several separated by spaces)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
venv=$1
extras=${2:-}

say() { printf 'aio-wizard setup: %s\n' "$*" >&2; }

# A venv with its pip (looked for on disk: starting python just to import pip cost ~0.1 s a start).
has_pip() { for d in "$venv"/lib/python3*/site-packages/pip; do [ -d "$d" ] && return 0; done; return 1; }
if [ ! -x "$venv/bin/python" ] || ! has_pip; then
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            say "installing python3-venv with apt-get (needed to create $venv)"
            export DEBIAN_FRONTEND=noninteractive
            apt-get install -y -q python3-venv >/dev/null 2>&1 || {
                apt-get update -q >/dev/null
                apt-get install -y -q python3-venv >/dev/null
            }
        else
            say "python3 has no venv module. Run this as root, or as root first: apt-get install -y python3-venv"
            exit 2
        fi
    fi
    rm -rf "$venv"
    say "creating the virtualenv $venv"
    python3 -m venv "$venv"
fi

# The stamp says what is installed: the checksum of pyproject.toml, then the extras (sorted, one
# word each), e.g. "2969479913 test". Why extras as a set: ./aio-wizard (no extras) and
# ./run-tests ([test]) share one venv, and a venv holding more extras than asked for serves the
# smaller request as it is. Reinstalling on every switch cost seconds and, without the package
# registries, failed although everything was installed: when the stamp covers the request,
# nothing here runs pip or touches the network.
stamp_file="$venv/.aio-wizard-installed"
sum=$(cksum < "$here/pyproject.toml" | cut -d' ' -f1)
set -- $(cat "$stamp_file" 2>/dev/null || true)
have_sum=${1:-}
[ $# -gt 0 ] && shift
have_extras="$*"
want_extras=$(printf '%s\n' $extras | sort -u | tr '\n' ' ')

covered=yes
if [ "$have_sum" != "$sum" ]; then
    covered=no
else
    for extra in $want_extras; do
        case " $have_extras " in
            *" $extra "*) ;;
            *) covered=no ;;
        esac
    done
fi

if [ "$covered" = no ]; then
    # Keep what was installed before (the other launcher's extras) so the next switch is free too.
    all_extras=$(printf '%s\n' $want_extras $have_extras | sort -u | tr '\n' ' ')
    target="$here"
    list=$(printf '%s' "$all_extras" | sed 's/ *$//; s/ /,/g')
    [ -n "$list" ] && target="$here[$list]"
    say "installing aio-wizard${list:+ with [$list]} into $venv (once)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$target"
    echo "$sum $all_extras" | sed 's/ *$//' > "$stamp_file"
fi
