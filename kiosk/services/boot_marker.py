"""The mark first-boot provisioning leaves when the boot partition's config
was refused (kiosk/install/provision.py writes it, the kiosk shows it as
out-of-order code CFG-BOOT until a corrected file is applied)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

MARKER = Path("var/lib/ptsp-kiosk/provision-error")  # under the root given
FAULT_CODE = "CFG-BOOT"
_LIMIT = 64 * 1024


def boot_config_fault(root: Path = Path("/")) -> Optional[tuple[str, str]]:
    """``(FAULT_CODE, first problem)`` while the last provisioning failed, else None."""
    try:
        with open(root / MARKER, "rb") as f:
            data = f.read(_LIMIT + 1)
    except OSError:
        return None
    lines = data[:_LIMIT].decode("utf-8", "replace").splitlines()
    detail = next((line.strip() for line in lines[1:] if line.strip()), "")
    return FAULT_CODE, detail
