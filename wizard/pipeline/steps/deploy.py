"""The kolla-ansible actions: certificates, bootstrap-servers, kolla-build, prechecks, pull, deploy and
post-deploy, each ``kolla-ansible ACTION -i INVENTORY`` in the virtualenv.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wizard.pipeline.model import (
    host_path,
)
from wizard.pipeline.steps.context import Ctx, StepBody


def _certificates_done(ctx: Ctx, root: Path) -> str | None:
    d = host_path(root, "/etc/kolla/certificates")
    if d.is_dir() and any(d.iterdir()):
        return "/etc/kolla/certificates exists"
    return None


def _kolla_build(ctx: Ctx) -> StepBody:
    """kolla-build names the images exactly as the globals make kolla-ansible look for them:
    registry and namespace from :func:`wizard.kolla.globals_file.image_location`, the tag the
    release's ``openstack_tag`` comes to (release, distro, codename, suffix)."""
    from wizard.kolla.globals_file import LOCAL_REGISTRY, image_location

    distro = str(ctx.a("kolla_base_distro", "debian"))
    tag = ctx.release.image_tag(distro, str(ctx.a("openstack_tag_suffix", "") or ""))
    registry, namespace = image_location(ctx.answers, ctx.release)
    argv = [ctx.bin("kolla-build"), "-b", distro]
    if ctx.release.install_type:
        argv += ["-t", "source"]  # the guide: build from source
    argv += ["--tag", tag, "--namespace", namespace]
    if registry:
        argv += ["--registry", registry]
    notes = ["runs after bootstrap-servers, which installs the Docker engine kolla-build needs"]
    if registry == LOCAL_REGISTRY:
        notes.append(
            f"images built here are named {LOCAL_REGISTRY}/{namespace}/…:{tag} (and the globals say so): "
            "never confused with the published ones, which nothing pulls"
        )
    return StepBody((ctx.in_venv(*argv),), notes=tuple(notes))


def _prechecks(ctx: Ctx) -> StepBody:
    from wizard.kolla.globals_file import uses_published_images

    test_images = ctx.release.prechecks_test_images and uses_published_images(ctx.answers, ctx.release)
    extra = ("--use-test-images",) if test_images else ()
    return StepBody((ctx.kolla_ansible("prechecks", *extra),))


def _ka(action: str) -> Callable[[Ctx], StepBody]:
    def build(ctx: Ctx) -> StepBody:
        return StepBody((ctx.kolla_ansible(action),))

    return build


def _pull(ctx: Ctx) -> StepBody:
    notes = (ctx.release.images_note,) if ctx.release.images_note else ()
    return StepBody((ctx.kolla_ansible("pull"),), notes=notes)
