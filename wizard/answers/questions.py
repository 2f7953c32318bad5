"""The question catalog: every answer the wizard needs, declared exactly once.

The TUI, the plain prompts, the answers YAML (its comments), ``validate`` and the README's answers
reference are all rendered from :data:`QUESTIONS`, so a prompt, a default or a rule is changed in
one place. A question knows how to find its default for a host: first what the host shows
(``detect``, with the evidence as the reason), then a static or release-based ``default``.
Cross-field rules (the VIP in the interface's subnet, the range clear of the gateway...) live in
:mod:`wizard.answers.validation`; the per-value shape checks here are in :mod:`wizard.answers.patterns`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.answers import defaults as host_defaults
from wizard.answers import derive, patterns
from wizard.answers.defaults import Default
from wizard.host.facts import HostFacts
from wizard.kolla.releases import Release, find_release, newest_release, newest_release_for, release_names

GROUPS = ("install", "management network", "globals", "external network")

#: The guide's "useful tooling to aid during debugging" (apt-get install -y ...).
GUIDE_DEBUG_TOOLS = ("aptitude", "screen", "rsync", "git", "curl", "byobu", "asciinema", "tcpdump")


@dataclass(frozen=True)
class DefaultContext:
    """What a default function may look at: the host, and the answers settled so far."""

    facts: HostFacts
    answers: Mapping[str, Any] = field(default_factory=dict)

    @property
    def release(self) -> Release | None:
        return find_release(self.answers.get("openstack_release", ""))


@dataclass(frozen=True)
class Choice:
    """One option of a choice question: the stored value and the label shown next to it."""

    value: Any
    label: str


DefaultFn = Callable[[DefaultContext], Default | None]


@dataclass(frozen=True)
class Question:
    """One answer: how to ask for it, why it matters, its default and its shape rules.

    ``kind`` tells the front ends which widget to use: "choice", "interface", "text", "ipv4",
    "cidr", "range", "bool", "list", "mapping". ``ask_when`` says whether the question matters
    given the other answers (the git ref only with a git source); ``applies_to`` whether it means
    anything for a release.
    """

    key: str
    group: str
    prompt: str
    help: str
    kind: str
    example: Any
    default: DefaultFn
    detect: DefaultFn | None = None
    choices: tuple[Choice, ...] | Callable[[HostFacts], tuple[Choice, ...]] = ()
    validators: tuple[Callable[[Any], str | None], ...] = ()
    secret: bool = False
    advanced: bool = False
    applies_to: Callable[[Release], bool] = lambda release: True
    ask_when: Callable[[Mapping[str, Any]], bool] = lambda answers: True

    def choices_for(self, facts: HostFacts) -> tuple[Choice, ...]:
        """The options to offer on this host (interface questions list the host's NICs)."""
        return self.choices(facts) if callable(self.choices) else self.choices

    def check(self, value: Any) -> str | None:
        """The first shape problem with ``value`` alone, None when it is well formed."""
        for validator in self.validators:
            if (message := validator(value)) is not None:
                return message
        return None

    def default_for(self, ctx: DefaultContext) -> tuple[Default | None, str]:
        """The default for this host and answers, and its origin: "detected" or "default"."""
        found = self.detect(ctx) if self.detect is not None else None
        if found is not None and found.value is not None:
            return found, "detected"
        static = self.default(ctx)
        if (static is None or static.value is None) and found is not None:
            return found, "default"  # nothing to offer: the detector's reason says what to do
        return static, "default"


# --- defaults ------------------------------------------------------------------------------------


def _static(value: Any, reason: str) -> DefaultFn:
    return lambda ctx: Default(value, reason)


def _detect_release(ctx: DefaultContext) -> Default | None:
    major, arch = ctx.facts.os.major, ctx.facts.arch
    release = newest_release_for(major, arch) if major else None
    if release is None:
        return None
    return Default(release.name, f"the newest release for Debian {major} on {arch}")


def _default_release(ctx: DefaultContext) -> Default:
    return Default(newest_release().name, "the newest release in the catalog")


def _default_git_ref(ctx: DefaultContext) -> Default:
    release = ctx.release or newest_release()
    where = "the stable branch" if release.git_branch == release.stable_branch else "where the source lives now"
    return Default(release.git_branch, f"{where} of {release.name}")


def _detect_docker_io(ctx: DefaultContext) -> Default | None:
    if ctx.facts.docker_io_installed:
        return Default(True, "Debian's docker.io is installed; Docker CE from bootstrap-servers conflicts")
    return None


def _detect_apt_archive(ctx: DefaultContext) -> Default | None:
    from wizard.kolla.releases import debian_archived

    major = ctx.facts.os.major
    if major and debian_archived(major):
        return Default(True, f"Debian {major} ({ctx.facts.os.codename}) is only on archive.debian.org now")
    return None


def _iface(ctx: DefaultContext) -> str | None:
    value = ctx.answers.get("network_interface")
    return value if isinstance(value, str) else None


def _detect_network_interface(ctx: DefaultContext) -> Default:
    return host_defaults.detect_network_interface(ctx.facts)


def _detect_vip(ctx: DefaultContext) -> Default:
    if ctx.answers.get("enable_haproxy", "no") in ("yes", True):
        return derive.haproxy_vip_default(ctx.facts, _iface(ctx))
    return host_defaults.detect_vip(ctx.facts, _iface(ctx))


def _detect_external_interface(ctx: DefaultContext) -> Default:
    return host_defaults.detect_external_interface(ctx.facts, _iface(ctx))


def _detect_virt_type(ctx: DefaultContext) -> Default:
    return host_defaults.detect_virt_type(ctx.facts)


def _detect_tag_suffix(ctx: DefaultContext) -> Default | None:
    if ctx.facts.is_arm64:
        return Default("-aarch64", f"{ctx.facts.arch}; the published images are not multi-arch")
    if ctx.facts.arch not in ("", "unknown"):
        return Default("", f"{ctx.facts.arch}; the plain tags are for x86_64")
    return None


def _default_registry(ctx: DefaultContext) -> Default:
    release = ctx.release or newest_release()
    return Default(release.docker_registry, f"where {release.name}'s published images are")


def _default_namespace(ctx: DefaultContext) -> Default:
    release = ctx.release or newest_release()
    return Default(release.docker_namespace, f"the namespace of {release.name}'s published images")


def _detect_ext_cidr(ctx: DefaultContext) -> Default:
    return host_defaults.detect_ext_net_cidr(ctx.facts, _iface(ctx))


def _detect_ext_gateway(ctx: DefaultContext) -> Default:
    return derive.ext_net_gateway_default(ctx.facts, ctx.answers.get("ext_net_cidr"))


def _detect_demo_cidr(ctx: DefaultContext) -> Default:
    a = ctx.answers
    release = ctx.release
    if release is not None and not release.runonce_demo_env:
        return Default(
            str(host_defaults.RUNONCE_DEMO_CIDR), f"{release.name}'s init-runonce hard-codes its demo network"
        )
    return host_defaults.detect_demo_net_cidr(ctx.facts, a.get("ext_net_cidr"), a.get("kolla_internal_vip_address"))


def _detect_ext_range(ctx: DefaultContext) -> Default:
    a = ctx.answers
    return derive.ext_net_range_default(
        ctx.facts, a.get("ext_net_cidr"), a.get("ext_net_gateway"), a.get("kolla_internal_vip_address")
    )


# --- choices -------------------------------------------------------------------------------------


def interface_choices(facts: HostFacts) -> tuple[Choice, ...]:
    """The host's NICs (loopback left out), each labelled with state, kind and addresses."""
    return tuple(Choice(nic.name, nic.summary()) for nic in facts.nics if nic.kind != "loopback")


def _release_choices(facts: HostFacts) -> tuple[Choice, ...]:
    from wizard.kolla.releases import load_releases

    out = []
    for r in reversed(load_releases()):
        fits = facts.os.major in r.debian and r.supports_arch(facts.arch)
        label = f"{r.name}  (kolla-ansible {r.kolla_major}, Debian {', '.join(r.debian)})"
        out.append(Choice(r.name, label + ("" if fits or not facts.os.major else "  - not for this host")))
    return tuple(out)


def _choices(*pairs: tuple[Any, str]) -> tuple[Choice, ...]:
    return tuple(Choice(v, label) for v, label in pairs)


def _values(choices: tuple[Choice, ...]) -> tuple[Any, ...]:
    return tuple(c.value for c in choices)


IMAGE_SOURCE = _choices(
    ("pull", "pull the published images (minutes)"), ("build", "build them with kolla-build, as the guide did (hours)")
)
KA_SOURCE = _choices(("pypi", "PyPI release pinned to the OpenStack release"), ("git", "a git branch of kolla-ansible"))
HAPROXY = _choices(("no", "no: one host, the VIP is the host's own address"), ("yes", "yes: a separate VIP"))
DISTROS = _choices(("debian", "debian (matches this host)"), ("ubuntu", "ubuntu"), ("rocky", "rocky"))
VIRT = _choices(("kvm", "kvm: hardware virtualization"), ("qemu", "qemu: software emulation, slow"))
TAG_SUFFIX = _choices(("-aarch64", '"-aarch64": arm64 images'), ("", '"": x86_64 images'))


def _validate_release(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower() in release_names():
        return None
    return f"{patterns.shown(value)} is not a release this wizard knows; valid: {', '.join(release_names())}"


QUESTIONS: tuple[Question, ...] = (
    # --- install -------------------------------------------------------------------------------
    Question(
        key="openstack_release",
        group="install",
        prompt="OpenStack release to install",
        help=(
            "Each release supports only some Debian versions (Debian 11 cannot run kolla-ansible 19+), and "
            "kolla-ansible, Ansible and the images are pinned to it. The guide's '8.1.0' was an image tag of "
            "the Train era; today the release name (2025.1, 2026.1...) is the tag."
        ),
        kind="choice",
        example="2026.1",
        default=_default_release,
        detect=_detect_release,
        choices=_release_choices,
        validators=(_validate_release,),
    ),
    Question(
        key="image_source",
        group="install",
        prompt="Where the container images come from",
        help=(
            "The guide built every image with 'kolla-build -b debian -t source', which takes hours. "
            "Kolla now publishes images (with an -aarch64 tag for arm64) that kolla-ansible pulls in minutes."
        ),
        kind="choice",
        example="pull",
        default=_static("pull", "the published images are the fast path"),
        choices=IMAGE_SOURCE,
        validators=(patterns.choice_checker(_values(IMAGE_SOURCE), "pull"),),
    ),
    Question(
        key="kolla_ansible_source",
        group="install",
        prompt="Where kolla-ansible comes from",
        help=(
            "The guide cloned the master branch, which drifts away from the images. A PyPI release pinned "
            "to the chosen OpenStack release matches its images; a git branch is for testing fixes."
        ),
        kind="choice",
        example="pypi",
        default=_static("pypi", "a release pinned to the chosen OpenStack release"),
        choices=KA_SOURCE,
        validators=(patterns.choice_checker(_values(KA_SOURCE), "pypi"),),
    ),
    Question(
        key="kolla_ansible_git_ref",
        group="install",
        prompt="kolla-ansible git branch or tag",
        help=(
            "Used only with the git source: pip installs kolla-ansible from this ref of "
            "opendev.org/openstack/kolla-ansible. A release out of maintenance loses its stable/ branch: "
            "then it is unmaintained/<release> or the <release>-eol tag."
        ),
        kind="text",
        example="stable/2026.1",
        default=_default_git_ref,
        validators=(patterns.check_git_ref,),
        advanced=True,
        ask_when=lambda answers: answers.get("kolla_ansible_source") == "git",
    ),
    Question(
        key="venv_path",
        group="install",
        prompt="Virtualenv for kolla-ansible",
        help=(
            "Debian 12 and later refuse system-wide pip installs (PEP 668), so kolla-ansible, Ansible and the "
            "example files live in a virtualenv; its share/kolla-ansible holds globals.yml and init-runonce. "
            "It must be a directory of its own, below /opt, /srv or /var/lib/aio-wizard, or below a top-level "
            "directory that is not the system's (/data/kolla-venv): never in /etc, /usr, /var, /root, /boot..."
        ),
        kind="text",
        example="/opt/kolla-venv",
        default=_static("/opt/kolla-venv", "the path the kolla-ansible quickstart uses"),
        validators=(patterns.check_venv_path,),
        advanced=True,
    ),
    Question(
        key="debug_tools",
        group="install",
        prompt="Debugging tools to install",
        help=(
            "Not needed by OpenStack; the guide installs them to debug, troubleshoot and record output. "
            "An empty list installs none."
        ),
        kind="list",
        example=list(GUIDE_DEBUG_TOOLS),
        default=_static(list(GUIDE_DEBUG_TOOLS), "the guide's list"),
        choices=tuple(Choice(p, p) for p in GUIDE_DEBUG_TOOLS),
        validators=(patterns.check_package_list,),
    ),
    Question(
        key="remove_docker_io",
        group="install",
        prompt="Remove Debian's docker.io, containerd and runc",
        help=(
            "bootstrap-servers installs Docker CE from Docker's repository, which conflicts with Debian's "
            "docker.io packages (the guide installed those). Docker's documentation says to remove them first; "
            "containers running under them stop."
        ),
        kind="bool",
        example=True,
        default=_static(False, "docker.io is not installed: nothing to remove"),
        detect=_detect_docker_io,
        validators=(patterns.check_bool,),
    ),
    Question(
        key="apt_archive_for_eol",
        group="install",
        prompt="Point apt at archive.debian.org (Debian 10)",
        help=(
            "Debian 10 (buster) left Debian's mirrors: apt-get update against deb.debian.org gets 404, so no "
            "package can be installed. Its packages live on only in the archive of old releases, which has no "
            "security updates and whose Release files have expired: yes rewrites /etc/apt/sources.list to it "
            "(a backup is kept) and tells apt to accept the expired dates. No: the plan refuses to run on such "
            "a host. Meaningless on a Debian still on the mirrors."
        ),
        kind="bool",
        example=True,
        default=_static(False, "this Debian is still on Debian's mirrors"),
        detect=_detect_apt_archive,
        validators=(patterns.check_bool,),
        advanced=True,
    ),
    # --- management network --------------------------------------------------------------------
    Question(
        key="network_interface",
        group="management network",
        prompt="Management interface (network_interface)",
        help=(
            "The NIC the OpenStack APIs and services listen on. It must exist, be up and have an IPv4 address; "
            "the guide used enp1s0, the interface of its LAN."
        ),
        kind="interface",
        example="enp1s0",
        default=_static(None, "no interface with an IPv4 address was found"),
        detect=_detect_network_interface,
        choices=interface_choices,
        validators=(patterns.check_interface,),
    ),
    Question(
        key="enable_haproxy",
        group="management network",
        prompt="Run haproxy and keepalived in front of the APIs",
        help=(
            "On a single host they add nothing, and the guide turns them off: then the VIP is simply the host's "
            'address. With "yes" the VIP must be another, unused address of the subnet. From 2024.2 ProxySQL is on '
            "by default and listens on the VIP's port 3306, where MariaDB listens on the host's address: with "
            '"no" both would bind the same socket, so the wizard then writes enable_proxysql: "no" (the services '
            'reach MariaDB directly); "yes" with a free VIP keeps ProxySQL, the layout upstream CI tests.'
        ),
        kind="choice",
        example="no",
        default=_static("no", "a single host needs no load balancer (the guide's choice)"),
        choices=HAPROXY,
        validators=(patterns.choice_checker(_values(HAPROXY), '"no"'),),
        advanced=True,
    ),
    Question(
        key="kolla_internal_vip_address",
        group="management network",
        prompt="Internal VIP address (kolla_internal_vip_address)",
        help=(
            "The address the APIs are reached at. Without haproxy it is the host's own address on the "
            "management interface (the guide's 10.1.1.88); with haproxy an unused address of that subnet, "
            "which prechecks ping and expect no answer from."
        ),
        kind="ipv4",
        example="10.1.1.88",
        default=_static(None, "the management interface has no IPv4 address"),
        detect=_detect_vip,
        validators=(patterns.check_ipv4,),
    ),
    Question(
        key="neutron_external_interface",
        group="management network",
        prompt="External interface for br-ex (neutron_external_interface)",
        help=(
            "Neutron plugs this NIC into the br-ex bridge for the floating IP network. Any IP address on it "
            "stops working once it joins br-ex, so it must be a second NIC without IPv4, up and cabled "
            "(the guide used a USB NIC, enx00051bb122ed)."
        ),
        kind="interface",
        example="enp2s0",
        default=_static(None, "no second interface without an IPv4 address was found"),
        detect=_detect_external_interface,
        choices=interface_choices,
        validators=(patterns.check_interface,),
    ),
    # --- globals ------------------------------------------------------------------------------
    Question(
        key="kolla_base_distro",
        group="globals",
        prompt="Distribution of the container images (kolla_base_distro)",
        help=(
            "The guide found Debian images fully functional on arm64 and Ubuntu unable to boot VMs; published "
            "arm64 images are Debian only until 2025.1. Images should match the host."
        ),
        kind="choice",
        example="debian",
        default=_static("debian", "this wizard installs on Debian hosts, and Debian has arm64 images"),
        choices=DISTROS,
        validators=(patterns.choice_checker(_values(DISTROS), '"debian"'),),
        advanced=True,
    ),
    Question(
        key="nova_compute_virt_type",
        group="globals",
        prompt="Hypervisor type (nova_compute_virt_type)",
        help=(
            "kvm runs guests at native speed but needs a usable /dev/kvm (the guide checked with kvm-ok). "
            "qemu emulates the CPU: it works anywhere, very slowly. prechecks do not test this."
        ),
        kind="choice",
        example="kvm",
        default=_static("qemu", "KVM was not probed; qemu works everywhere"),
        detect=_detect_virt_type,
        choices=VIRT,
        validators=(patterns.choice_checker(_values(VIRT), "kvm"),),
    ),
    Question(
        key="openstack_tag_suffix",
        group="globals",
        prompt="Image tag suffix (openstack_tag_suffix)",
        help=(
            'The published images are not multi-arch: on arm64 their tags end in "-aarch64" '
            "(kolla-ansible quickstart, AArch64 options). Leave it empty on x86_64."
        ),
        kind="choice",
        example="-aarch64",
        default=_static("", "no architecture was detected; x86_64 images need no suffix"),
        detect=_detect_tag_suffix,
        choices=TAG_SUFFIX,
        validators=(patterns.check_tag_suffix,),
        advanced=True,
    ),
    Question(
        key="docker_registry",
        group="globals",
        prompt="Image registry (docker_registry)",
        help=(
            "Where the images are pulled from: quay.io since Xena, Docker Hub (empty) before. "
            "Change it for a local mirror. Images built here (image_source build) under the published "
            "name are named localhost/<namespace>/... instead, so nothing can pull the published ones over them."
        ),
        kind="text",
        example="quay.io",
        default=_default_registry,
        validators=(patterns.check_registry,),
        advanced=True,
    ),
    Question(
        key="docker_namespace",
        group="globals",
        prompt="Image namespace (docker_namespace)",
        help="The organisation the images are published under: openstack.kolla on quay.io, kolla on Docker Hub.",
        kind="text",
        example="openstack.kolla",
        default=_default_namespace,
        validators=(patterns.check_namespace,),
        advanced=True,
    ),
    Question(
        key="extra_globals",
        group="globals",
        prompt="Further globals.yml settings",
        help=(
            "Any other globals.yml key (enable_cinder, kolla_enable_tls_external...), written next to the "
            "wizard's own keys. Keys that have their own question here must be set there."
        ),
        kind="mapping",
        example={"enable_cinder": "no"},
        default=_static({}, "nothing beyond the guide's settings"),
        validators=(patterns.check_extra_globals,),
        advanced=True,
    ),
    # --- external network -----------------------------------------------------------------------
    Question(
        key="ext_net_cidr",
        group="external network",
        prompt="External (floating IP) network CIDR (EXT_NET_CIDR)",
        help=(
            "init-runonce creates the flat network public1 with this subnet. As in the guide it is normally the "
            "LAN of the management interface, so floating IPs are reachable from it (the guide: 10.1.1.0/24)."
        ),
        kind="cidr",
        example="10.1.1.0/24",
        default=_static(None, "the management interface has no IPv4 subnet"),
        detect=_detect_ext_cidr,
        validators=(patterns.check_cidr,),
    ),
    Question(
        key="ext_net_gateway",
        group="external network",
        prompt="External network gateway (EXT_NET_GATEWAY)",
        help="The router of that network, which instances with floating IPs use (the guide: 10.1.1.1).",
        kind="ipv4",
        example="10.1.1.1",
        default=_static(None, "no external network CIDR to take a gateway from"),
        detect=_detect_ext_gateway,
        validators=(patterns.check_ipv4,),
    ),
    Question(
        key="ext_net_range",
        group="external network",
        prompt="Floating IP range (EXT_NET_RANGE)",
        help=(
            "The addresses neutron hands out as floating IPs. They must be free on the LAN: not the gateway, "
            "the host, the VIP or any other machine (the guide: 10.1.1.210 to 10.1.1.240)."
        ),
        kind="range",
        example={"start": "10.1.1.210", "end": "10.1.1.240"},
        default=_static(None, "no external network CIDR to take a range from"),
        detect=_detect_ext_range,
        validators=(patterns.check_range,),
    ),
    Question(
        key="demo_net_cidr",
        group="external network",
        prompt="Demo (tenant) network CIDR (DEMO_NET_CIDR)",
        help=(
            "init-runonce also creates demo-net behind demo-router, 10.0.0.0/24 unless told otherwise. Neutron "
            "refuses two overlapping subnets on one router, and instances could not reach LAN machines the demo "
            "network shadows: so it must overlap no network of this host, the external network or the VIP. "
            "Passed as DEMO_NET_CIDR (gateway: its first address) from 2023.1; older releases hard-code 10.0.0.0/24."
        ),
        kind="cidr",
        example="10.0.0.0/24",
        default=_static(str(host_defaults.RUNONCE_DEMO_CIDR), "init-runonce's own demo network"),
        detect=_detect_demo_cidr,
        validators=(patterns.check_cidr,),
        advanced=True,
        applies_to=lambda release: release.runonce_demo_env,
    ),
    Question(
        key="run_init_runonce",
        group="external network",
        prompt="Run init-runonce after the deploy",
        help=(
            "init-runonce creates the demo network, the external network above, a router, the cirros image "
            "(downloaded from the internet), flavors and a keypair, so a first VM can be started. It is meant "
            "to run once."
        ),
        kind="bool",
        example=True,
        default=_static(True, "the guide runs it to make the cloud usable"),
        validators=(patterns.check_bool,),
    ),
    Question(
        key="verify_cloud",
        group="external network",
        prompt="Verify the cloud at the end (boot a test instance)",
        help=(
            "After init-runonce, boot a CirrOS instance on demo-net, attach a floating IP from public1, ping it "
            "(also with a 1500-byte packet, for MTU trouble) and SSH in from this host, then delete it. It proves "
            "the cloud works; it needs the external network to be reachable from this host. An optional step: "
            "a failure can be skipped. Needs run_init_runonce."
        ),
        kind="bool",
        example=True,
        default=_static(True, "a working instance is the proof the install is usable"),
        validators=(patterns.check_bool,),
    ),
)

_BY_KEY = {q.key: q for q in QUESTIONS}
KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)


def question(key: str) -> Question:
    """The question for ``key``; KeyError for an unknown key."""
    return _BY_KEY[key]


def questions_in(group: str) -> tuple[Question, ...]:
    return tuple(q for q in QUESTIONS if q.group == group)
