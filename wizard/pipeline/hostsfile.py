"""/etc/hosts made so that the hostname resolves to exactly the management address.

kolla's rabbitmq precheck runs ``getent ahostsv4 <hostname>`` and fails unless every address it
prints is the api_interface address; by then bootstrap-servers has already changed the host. A
127.0.1.1 line (Debian's installer) is only one way to fail: an old address for the hostname
(a renumbered host, a copied image) fails it too. This is a pure function of the file's text,
so the plan shows the exact diff, the runner writes it with a backup, and the step's done-check
is "the file already reads like this".
"""

from __future__ import annotations

import ipaddress

from wizard.host.services import is_127_0_1_1_line

MARK = "# aio-wizard:"


def _is_ipv4(address: str) -> bool:
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return True


def _names_the_host(name: str, short: str) -> bool:
    """``name`` is the hostname or its FQDN (``aio``, ``aio.example.org``)."""
    name = name.lower()
    return name == short or name.startswith(short + ".")


def hosts_for_management(text: str | None, hostname: str, address: str | None) -> str:
    """``/etc/hosts`` with the hostname resolving (IPv4) to ``address`` only.

    Uncommented 127.0.1.1 lines are commented out (the guide's sed); any other IPv4 line that
    names the hostname or its FQDN with another address loses those names (commented out when
    nothing else is left on it); IPv6 lines stay (ahostsv4 does not read them). Then, if no line
    maps ``address`` to the hostname, ``address FQDN hostname`` is added (the FQDN when one is
    known: found in the file, or the hostname itself). Applied twice it changes nothing. Without
    ``address`` only the removals happen.
    """
    short = hostname.split(".")[0].lower()
    lines = (text if text is not None else "127.0.0.1\tlocalhost\n").splitlines(keepends=True)
    out: list[str] = []
    fqdn = ""
    present = False
    for line in lines:
        body, _, comment = line.rstrip("\n").partition("#")
        fields = body.split()
        end = "\n" if line.endswith("\n") else ""
        if len(fields) < 2 or not short or not _is_ipv4(fields[0]):
            out.append(line)
            continue
        addr, names = fields[0], fields[1:]
        ours = [n for n in names if _names_the_host(n, short)]
        fqdn = fqdn or next((n for n in ours if "." in n), "")
        if is_127_0_1_1_line(line):  # the probe's own test: what it warns about is what goes
            out.append("#" + line)
        elif not ours:
            out.append(line)
        elif addr == address:
            present = present or any(n.lower() == short for n in ours)
            out.append(line)
        else:
            rest = [n for n in names if n not in ours]
            note = f"{MARK} {' '.join(ours)} resolve to {address or 'the management address'} only"
            if rest:
                out.append(f"{addr}\t{' '.join(rest)}  {note}{' #' + comment if comment else ''}{end}")
            else:
                out.append(f"#{line.rstrip(chr(10))}  {note}{end}")
    fqdn = fqdn or (hostname if "." in hostname else "")
    if address and short and not present:
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        out.append(f"{address}\t{' '.join(n for n in (fqdn, hostname.split('.')[0]) if n)}\n")
    return "".join(out)
