"""Kolla-Ansible itself: the virtualenv, kolla-ansible (and kolla for image builds) with the release's
constraints, its Ansible collections, /etc/kolla from the examples, the globals and the passwords.
"""

from __future__ import annotations

from pathlib import Path

from wizard.kolla.globals_file import DEFAULT_CONFIG_DIR as KOLLA_DIR
from wizard.pipeline.hoststate import (
    direct_url,
    dist_version,
    passwords_filled,
)
from wizard.pipeline.model import (
    Command,
    FileWrite,
    host_path,
)
from wizard.pipeline.steps.context import INVENTORY, PASSWORDS, Ctx, StepBody


def _venv(ctx: Ctx) -> StepBody:
    return StepBody(
        (
            Command(("python3", "-m", "venv", ctx.venv)),
            Command((ctx.bin("pip"), "install", "-U", "pip")),
        )
    )


def _venv_done(ctx: Ctx, root: Path) -> str | None:
    if host_path(root, ctx.bin("python")).exists() and host_path(root, ctx.bin("pip")).exists():
        return f"the virtualenv {ctx.venv} exists"
    return None


def _git_url(project: str, ref: str) -> str:
    return f"git+https://opendev.org/openstack/{project}@{ref}"


def _constraints(ctx: Ctx) -> tuple[str, Command]:
    """The release's upper-constraints file and the command that fetches it (without the pinned names)."""
    from wizard.kolla.requirements import requirement_name

    out = f"{ctx.venv}/aio-wizard-upper-constraints.txt"
    without = [arg for pin in ctx.release.pins for arg in ("--without", requirement_name(pin))]
    fetch = ctx.action(
        "upper-constraints",
        ctx.release.constraints_url,
        out,
        *without,
        explain=f"downloads {ctx.release.name}'s upper-constraints to {out} for pip -c, without the lines the "
        "catalog pins itself; if it cannot be fetched, goes on without (the pins still apply) and says so",
    )
    return out, fetch


def _kolla_ansible(ctx: Ctx) -> StepBody:
    pip = ctx.bin("pip")
    constraints, fetch = _constraints(ctx)
    c = ("-c", constraints)
    cmds = [fetch]
    if ctx.release.ansible_requirement:
        cmds.append(Command((pip, "install", "-U", ctx.release.ansible_requirement, *c)))
    if ctx.build:
        kolla = _git_url("kolla", ctx.git_ref) if ctx.from_git else ctx.release.kolla_requirement
        cmds.append(Command((pip, "install", kolla, *ctx.release.pins, *c)))
    ka = _git_url("kolla-ansible", ctx.git_ref) if ctx.from_git else ctx.release.kolla_ansible_requirement
    cmds.append(Command((pip, "install", ka, *ctx.release.pins, *c)))
    notes: tuple[str, ...] = ()
    if ctx.release.pins:
        notes = (f"pinned for this release (known breakers): {', '.join(ctx.release.pins)}",)
    return StepBody(tuple(cmds), notes=notes)


def _kolla_ansible_done(ctx: Ctx, root: Path) -> str | None:
    venv = host_path(root, ctx.venv)
    version = dist_version(venv, "kolla-ansible")
    if not version or not host_path(root, ctx.bin("kolla-ansible")).exists():
        return None
    if not _installed_as_wanted(ctx, venv, "kolla-ansible", version):
        return None
    if ctx.release.ansible_requirement and not host_path(root, ctx.bin("ansible-playbook")).exists():
        return None
    if ctx.build:
        kolla = dist_version(venv, "kolla")
        if not kolla or not host_path(root, ctx.bin("kolla-build")).exists():
            return None
        if not _installed_as_wanted(ctx, venv, "kolla", kolla):
            return None
    source = f" from {ctx.git_ref}" if ctx.from_git else ""
    return f"kolla-ansible {version}{source} is installed in {ctx.venv}"


def _installed_as_wanted(ctx: Ctx, venv: Path, project: str, version: str) -> bool:
    """Whether the installed ``project`` is what the step's pip install would install.

    From git: the same repository and ref (pip records both in the dist-info's direct_url.json),
    so a changed release or ``kolla_ansible_git_ref`` installs again. From PyPI: the release's
    major version (the requirement pins ``>=major,<major+1``).
    """
    if not ctx.from_git:
        return version.split(".")[0] == str(ctx.release.kolla_major)
    info = direct_url(venv, project)
    vcs = info.get("vcs_info") if isinstance(info, dict) else None
    if not isinstance(vcs, dict) or not isinstance(info, dict):
        return False
    url = str(info.get("url", "")).removeprefix("git+").removesuffix("/").removesuffix(".git")
    if url != _git_url(project, "").removeprefix("git+").removesuffix("@"):
        return False
    return ctx.git_ref in (vcs.get("requested_revision"), vcs.get("commit_id"))


def _install_deps(ctx: Ctx) -> StepBody:
    """``kolla-ansible install-deps``; where the collection's branch moved, its requirements.yml first
    names where the collection lives now (the catalog's ``collection_ref``), so install-deps itself
    (ansible-galaxy, into the collections path kolla-ansible reads) installs it from there."""
    files: tuple[FileWrite, ...] = ()
    notes: tuple[str, ...] = ()
    ref = ctx.release.collection_ref
    if ctx.release.collection_ref_moved:
        from wizard.kolla.requirements import pin_collection_ref

        def pin(text: str | None) -> str:
            return pin_collection_ref(text, ref or "")  # collection_ref_moved implies a ref

        pin.__qualname__ = "pin_collection_ref"
        requirements = f"{ctx.share}/requirements.yml"
        files = (
            FileWrite(
                requirements,
                copy_from=requirements,
                transform=pin,
                backup=True,
                note=f"the openstack.kolla collection from {ref}: {ctx.release.stable_branch} no longer exists",
            ),
        )
        notes = (f"this release's requirements.yml names {ctx.release.stable_branch}, which is gone: {ref} is used",)
    return StepBody((ctx.in_venv(ctx.bin("kolla-ansible"), "install-deps"),), files=files, notes=notes)


def _kolla_config(ctx: Ctx) -> StepBody:
    examples = f"{ctx.share}/etc_examples/kolla"
    files = [
        FileWrite(f"{KOLLA_DIR}/config", directory=True),
        FileWrite(f"{KOLLA_DIR}/globals.yml", copy_from=f"{examples}/globals.yml", if_absent=True),
        FileWrite(PASSWORDS, copy_from=f"{examples}/passwords.yml", if_absent=True, mode=0o600),
        FileWrite(INVENTORY, copy_from=f"{ctx.share}/ansible/inventory/all-in-one", if_absent=True),
    ]
    if ctx.build:
        files.append(
            FileWrite(
                f"{KOLLA_DIR}/kolla-build.conf",
                copy_from=f"{ctx.venv}/share/kolla/etc_examples/oslo-config-generator/kolla-build.conf",
                if_absent=True,
            )
        )
    return StepBody(files=tuple(files))


def _globals(ctx: Ctx) -> StepBody:
    return StepBody(files=globals_writes(ctx))


def globals_writes(ctx: Ctx) -> tuple[FileWrite, ...]:
    """The wizard's globals, where the release reads them (globals.d, or merged into globals.yml)."""
    from wizard.kolla.globals_file import globals_path, render_globals

    answers, release = ctx.answers, ctx.release
    if release.globals_d:
        rendered = render_globals(answers, release)
        return (FileWrite(rendered.path, content=rendered.content, note="a file of the wizard's own"),)

    def merge(current: str | None) -> str:
        return render_globals(answers, release, current).content

    merge.__qualname__ = "merge_into_globals_yml"
    return (
        FileWrite(
            globals_path(release),
            transform=merge,
            backup=True,
            note="merged into globals.yml (this release has no globals.d); comments kept",
        ),
    )


def _genpwd(ctx: Ctx) -> StepBody:
    return StepBody(
        (
            ctx.in_venv(ctx.bin("kolla-genpwd"), "-p", PASSWORDS),
            Command(("chmod", "0600", PASSWORDS)),  # kolla-genpwd rewrites it 0640; only root needs to read it
        ),
        notes=("kolla-genpwd fills only empty values: existing passwords are kept",),
    )


def _genpwd_done(ctx: Ctx, root: Path) -> str | None:
    path = host_path(root, PASSWORDS)
    if path.exists() and path.stat().st_mode & 0o077:
        return None
    return passwords_filled(path)
