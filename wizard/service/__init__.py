"""The install service: the one place an install is assembled, started, watched, decided for and stopped.

Front ends (the TUI, ``--plain``) and commands (``run``, ``status``, ``stop``) never build a
runner themselves: they ask :class:`wizard.service.service.InstallService`. The runner itself
lives in a process of its own (:mod:`wizard.service.runnerd`), detached from the terminal that
started it, so a dropped SSH session changes nothing about the install; front ends attach to it
by following the journal and the step log (:mod:`wizard.service.attach`).

Nothing here imports textual or questionary.
"""
