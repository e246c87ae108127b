from setuptools import find_packages, setup

setup(
    name="ptsp-kiosk",
    version="0.1.0",
    description="Queue-ticket kiosk for the PTSP desk of a Rutan (Raspberry Pi, touch screen, "
                "buttons, ESC/POS printer)",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.11",
    packages=find_packages(include=["kiosk", "kiosk.*", "drivers", "drivers.*"]) + ["kiosk.presets"],
    # The demo and example configs live in config/ for technicians; ship them too.
    package_dir={"kiosk.presets": "config"},
    package_data={"kiosk.presets": ["*.toml"], "kiosk": ["assets/*"],
                  # The staff page's templates, CSS and script (issue 15): served by the kiosk, no CDN.
                  "kiosk.lan": ["staff_static/*"],
                  # The office dashboard's stylesheet and icon (issue 14): offline LANs, no CDN.
                  "kiosk.office.dashboard": ["static/*"]},
    install_requires=[
        "gpiozero>=2.0",
        "python-escpos>=3.1",
        # Debian's python3-pygame 2.1 has KMSDRM (the pip wheel has not): the Pi
        # install uses it, so do not require anything newer.
        "pygame>=2.1",
        "pyserial>=3.5",
        # python-escpos talks to USB printers through pyusb (pure Python over
        # the system's libusb); most kiosk printers are USB.
        "pyusb>=1.2",
        "sqlite-utils>=3.35",
        "requests>=2.28",
        # The office receiver's one-command server (pure Python, Debian python3-waitress):
        # read timeouts and a bounded worker pool, which wsgiref lacks (issue 11).
        "waitress>=2.1",
    ],
    extras_require={
        "test": ["pytest>=7", "hypothesis>=6",
                 # A hung test fails with its stack instead of stalling the run (Debian: python3-pytest-timeout).
                 "pytest-timeout>=2.1", "psycopg[binary]>=3.1",
                 # The suite on every core (`./dev test`); Debian: python3-pytest-xdist.
                 "pytest-xdist>=3.0",
                 # The staff page in headless Chromium (Debian chromium + chromium-driver, .ci/run).
                 "selenium>=4.10"],
        # Linters and checks that .ci/run runs: ruff (style and mistakes), mypy (types of
        # the core and the machine), import-linter (the layer rules in .importlinter,
        # imports inside functions included: no hand-written walker sees those).
        "lint": ["ruff>=0.4", "mypy>=1.8", "import-linter>=2.0"],
        # The office receiver on PostgreSQL (`--db postgresql://...`, issue 14): psycopg 3.
        # The binary wheel carries its own libpq; Debian's python3-psycopg works as well.
        "postgresql": ["psycopg[binary]>=3.1"],
        # GPIO backend of gpiozero on a Pi. Raspberry Pi OS has it as python3-lgpio;
        # plain Debian arm64 has not, PyPI has an aarch64 wheel (armhf builds it).
        # The installer picks one (kiosk/install/gpio.py); the marker keeps PCs out.
        "gpio": ['lgpio>=0.2.2; platform_system == "Linux" and (platform_machine == "aarch64" '
                 'or platform_machine == "armv7l" or platform_machine == "armv6l")'],
    },
    entry_points={"console_scripts": ["ptsp-kiosk = kiosk.cli:main"]},
)
