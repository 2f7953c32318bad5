"""One module per subcommand; each exposes ``run(args) -> int``.

``wizard.cli`` imports only the module of the subcommand being run, so ``probe``, ``plan``,
``validate`` and friends never pay for (or depend on) the TUI.
"""
