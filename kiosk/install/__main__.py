"""``python3 -m kiosk.install``: the installer, runnable with Debian's Python alone."""
import sys

from kiosk.install.installer import main

sys.exit(main())
