"""After the deploy: the OpenStack client, init-runonce judged by OpenStack's state, the verify step's test
instance, and the summary of where the cloud is.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from wizard.kolla.globals_file import DEFAULT_CONFIG_DIR as KOLLA_DIR
from wizard.pipeline.model import (
    Command,
    FileWrite,
    host_path,
)
from wizard.pipeline.steps.context import Ctx, StepBody
from wizard.pipeline.steps.kolla_install import _constraints

# Where init-runonce runs, and so where it downloads the CirrOS image (kept: a retry or a fresh
# install after `destroy` does not download it again).
DOWNLOADS_DIR = "/var/cache/aio-wizard"


def _openstackclient(ctx: Ctx) -> StepBody:
    constraints, fetch = _constraints(ctx)
    install = Command((ctx.bin("pip"), "install", "python-openstackclient", *ctx.release.pins, "-c", constraints))
    return StepBody((fetch, install))


def _openstackclient_done(ctx: Ctx, root: Path) -> str | None:
    if host_path(root, ctx.bin("openstack")).exists():
        return f"{ctx.bin('openstack')} exists"
    return None


def _runonce_env_wrap(
    ctx: Ctx, argv: tuple[str, ...], env: Mapping[str, str], explain: str = "", cwd: str = ""
) -> Command:
    """``argv`` with the admin credentials init-runonce uses: clouds.yaml's kolla-admin (Zed+), or
    admin-openrc.sh sourced first (before Zed), and the virtualenv (its ``openstack``) first on PATH."""
    path = (f"{ctx.venv}/bin",)
    if ctx.release.clouds_yaml:
        return Command(argv, env=env, path_prepend=path, explain=explain, cwd=cwd)
    return Command(
        ("bash", "-c", '. /etc/kolla/admin-openrc.sh && exec "$0" "$@"', *argv),
        env=env,
        path_prepend=path,
        explain=explain,
        cwd=cwd,
    )


def _external_network_check(ctx: Ctx, *, create_missing: bool) -> Command:
    """The action that judges init-runonce by OpenStack's state (its exit code says nothing on a retry)."""
    from wizard.kolla.runonce import ext_net_range_text, runonce_env

    answers = ctx.answers
    env = runonce_env(answers, ctx.release)
    argv = [
        ctx.python, "-m", "wizard.pipeline.actions", "external-network",
        "--cidr", str(answers["ext_net_cidr"]), "--range", ext_net_range_text(answers["ext_net_range"]),
        "--gateway", str(answers["ext_net_gateway"]),
    ]  # fmt: skip
    if "DEMO_NET_CIDR" in env:
        argv += ["--demo-cidr", env["DEMO_NET_CIDR"], "--demo-gateway", env["DEMO_NET_GATEWAY"]]
    if create_missing:
        argv.append("--create-missing")
    os_env = {"OS_CLOUD": "kolla-admin", "OS_CLIENT_CONFIG_FILE": f"{KOLLA_DIR}/clouds.yaml"}
    return _runonce_env_wrap(
        ctx,
        tuple(argv),
        os_env if ctx.release.clouds_yaml else {},
        explain=(
            "checks in OpenStack that public1, public1-subnet (CIDR, pool, gateway, no DHCP), demo-router's "
            "gateway and the m1.* flavors are as answered, and creates only what is missing with init-runonce's "
            "own commands (after a partial run init-runonce exits 0 saying it ran already)"
        ),
    )


def _runonce(ctx: Ctx) -> StepBody:
    from wizard.kolla.runonce import PATCHED_RUNONCE_NAME, needs_patched_runonce, patch_runonce, runonce_env

    answers = ctx.answers
    env = runonce_env(answers, ctx.release)
    files: tuple[FileWrite, ...] = ()
    script = f"{ctx.share}/init-runonce"
    notes = []
    if needs_patched_runonce(ctx.release):

        def patch(text: str | None) -> str:
            return patch_runonce(text or "", answers)

        patch.__qualname__ = "patch_runonce"
        copy = f"{KOLLA_DIR}/{PATCHED_RUNONCE_NAME}"
        files = (FileWrite(copy, copy_from=script, transform=patch, mode=0o755, note="EXT_NET_* set in the copy"),)
        script = copy
        notes.append("this release's init-runonce hard-codes the external network: a patched copy is run")
    if not ctx.release.clouds_yaml:
        notes.append("before Zed init-runonce needs the admin credentials in its environment: admin-openrc.sh")
    if "DEMO_NET_CIDR" not in env:
        notes.append("this release's init-runonce hard-codes the demo network 10.0.0.0/24")
    # The runner sets PYTHONUNBUFFERED=1 for live logs. For the openstack client that means one write for the
    # table and another for its last newline, and init-runonce's `image list | grep -q cirros` (under pipefail)
    # can then see the client die of EPIPE after grep matched and exited: the "run once" test reads as false
    # and the script creates everything a second time. Buffered output is one write: no such race.
    script_env = {**env, "PYTHONUNBUFFERED": ""}
    # init-runonce downloads CirrOS into its working directory (./) unless /opt/cache/files has it: a
    # directory of ours, so a detached run (cwd /) does not leave it in /, and a retry finds it there.
    runonce = _runonce_env_wrap(ctx, (script,), script_env, cwd=DOWNLOADS_DIR)
    cmds = (runonce, _external_network_check(ctx, create_missing=True))
    return StepBody(cmds, files=files, notes=tuple(notes))


def _verify(ctx: Ctx) -> StepBody:
    """The verify-cloud action with init-runonce's credentials (it uses init-runonce's image, network,
    flavor and keypair, so it only applies when init-runonce runs)."""
    argv = (ctx.python, "-m", "wizard.pipeline.actions", "verify-cloud", "--boot-timeout", "300")
    os_env = {"OS_CLOUD": "kolla-admin", "OS_CLIENT_CONFIG_FILE": f"{KOLLA_DIR}/clouds.yaml"}
    cmd = _runonce_env_wrap(
        ctx,
        argv,
        os_env if ctx.release.clouds_yaml else {},
        explain=(
            "boots CirrOS (m1.tiny, keypair mykey) on demo-net, waits for ACTIVE (300 s at most), attaches a "
            "floating IP from public1, then from this host: ping, ping -M do -s 1472 (MTU), ssh cirros@IP uname -m; "
            "deletes the server and floating IP afterwards, also after a failure or a cancel"
        ),
    )
    return StepBody((cmd,), notes=("the floating IP must be reachable from this host (public1 is the LAN)",))


def _runonce_done(ctx: Ctx, root: Path) -> str | None:
    """Done when OpenStack already holds the external network as answered (asked with the same action,
    read-only); never from init-runonce's exit code. Only on the real host, with the client installed."""
    import subprocess

    from wizard.kolla.extnet import WantedNetwork, describe
    from wizard.pipeline.runner import command_env

    if str(root) not in ("", "/") or not Path(ctx.bin("openstack")).exists():
        return None
    cmd = _external_network_check(ctx, create_missing=False)
    try:
        res = subprocess.run(
            list(cmd.argv),
            env=command_env(cmd),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=90,  # `plan` runs done-checks too: an unreachable API must not hang it
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if res.returncode != 0:
        return None
    a = ctx.answers
    want = WantedNetwork(
        str(a["ext_net_cidr"]), a["ext_net_range"]["start"], a["ext_net_range"]["end"], str(a["ext_net_gateway"])
    )
    return f"OpenStack holds it: {describe(want)}"


def _summary(ctx: Ctx) -> StepBody:
    vip = str(ctx.a("kolla_internal_vip_address", "?"))
    return StepBody(
        (
            ctx.action(
                "summary",
                "--vip",
                vip,
                "--venv",
                ctx.venv,
                explain="prints where the dashboard and the credentials are (no secret is printed)",
            ),
        )
    )
