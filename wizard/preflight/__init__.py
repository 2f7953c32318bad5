"""Preflight: the host's facts judged against the answers and the release, before anything changes.

Above ``wizard.host`` (which only reads the host), ``wizard.kolla`` and ``wizard.answers``: a check
needs the defaults' own NIC choice and the release's Debian versions, and the report shows answers
in the form the questions use. Nothing that probes imports this package.
"""
