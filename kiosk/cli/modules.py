"""Command-line subcommands, one module per area.

Each module has ``register(subparsers, common)``: it adds its subcommands with
``parents=[common]`` (which carries ``--config``) and sets ``func(args) -> int``.

``COMMANDS`` says which module registers which commands, so that a command
imports only its own module: ``run`` and ``demo`` then start without loading
the benchmarks, the installer or the office (the kiosk's first frame comes
sooner). tests/cli/test_cli_modules.py checks it against what each registers.
"""

COMMANDS = {
    "kiosk.cli.core": ("check-config", "issue", "call", "recall", "skip", "status", "report", "bench"),
    "kiosk.cli.clock": ("clock",),
    "kiosk.cli.counter": ("transfer", "counter", "hash-pin"),
    "kiosk.cli.app": ("run", "demo"),
    "kiosk.cli.buttons": ("diag-buttons",),
    "kiosk.cli.install": ("install",),
    "kiosk.cli.provision": ("provision",),
    "kiosk.cli.sync": ("sync", "receiver", "receiver-add-device"),
    "kiosk.cli.dashboard": ("receiver-add-user",),
    "kiosk.cli.printer": ("reprint", "printer-status", "test-print", "preview", "paper-replaced"),
    "kiosk.cli.display": ("display",),
    "kiosk.cli.survey": ("survey-report",),
}
MODULES = list(COMMANDS)


def module_for(argv) -> "str | None":
    """The module that registers the command in ``argv`` (the first word that
    is not an option), or None (no command, help asked for before the command
    (``-h run`` lists every command), an unknown word)."""
    for word in argv:
        if word in ("--", "-h", "--help"):
            return None
        if not word.startswith("-"):
            return next((m for m, names in COMMANDS.items() if word in names), None)
    return None
