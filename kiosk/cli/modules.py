"""Command-line subcommands, one module per area.

Each module has ``register(subparsers, common)``: it adds its subcommands with
``parents=[common]`` (which carries ``--config``) and sets ``func(args) -> int``.
"""

MODULES = [
    "kiosk.cli.core",
    "kiosk.cli.clock",
    "kiosk.cli.counter",
    "kiosk.cli.app",
    "kiosk.cli.buttons",
    "kiosk.cli.install",
    "kiosk.cli.provision",
    "kiosk.cli.sync",
    "kiosk.cli.dashboard",
    "kiosk.cli.printer",
    "kiosk.cli.display",
    "kiosk.cli.survey",
]
