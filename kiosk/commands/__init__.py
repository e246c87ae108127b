"""Command-line subcommands, one module per area.

Each module has ``register(subparsers, common)``: it adds its subcommands with
``parents=[common]`` (which carries ``--config``) and sets ``func(args) -> int``.
"""

MODULES = [
    "kiosk.commands.core",
    "kiosk.commands.app",
    "kiosk.commands.buttons",
    "kiosk.commands.install",
    "kiosk.commands.sync",
    "kiosk.commands.printer",
]
