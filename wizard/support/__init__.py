"""After the install: the support bundle, starting over (``destroy``) and MariaDB recovery.

Core modules (no textual, no questionary): the CLI's ``bundle``, ``destroy`` and
``recover-mariadb`` subcommands and any front end call them alike. Host paths are read under a
``root`` parameter and read-only commands go through an injectable runner, so tests describe any
host (half-installed, without Docker) in a temporary directory and never touch the real /etc.
"""
