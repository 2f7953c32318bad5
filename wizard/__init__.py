"""aio-wizard: from a fresh Debian host to an OpenStack All-in-One with Kolla-Ansible.

The package is split so that data flows one way: host facts (``wizard.host``) feed the
answers (``wizard.answers``), the answers and the release catalog (``wizard.kolla``) make a
plan (``wizard.pipeline``), the runner executes it and records a journal, and the front ends
(``wizard.ui``) only observe. Nothing outside ``wizard.ui.tui`` imports textual.
"""

__version__ = "0.1.0"
