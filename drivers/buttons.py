"""Physical buttons and lights on the Pi's GPIO header (gpiozero).

``ButtonBoard`` turns pin edges into events on the main loop's queue and
drives the lights in the service buttons, an optional kiosk status light and
an optional buzzer:

- service (visitor) button pressed -> ``TakeTicket(service=code, source="button")``
- counter call button: short press -> ``CounterAction(n, "call")`` on release;
  held for ``[buttons] hold_time`` -> ``CounterAction(n, "recall")`` at once, and
  the release after a hold sends nothing
- counter skip button pressed -> ``CounterAction(n, "skip")``

Callbacks only put events on the queue: they run in gpiozero's threads, so
they never touch SQLite, the printer or the screen, and they do no rate
limiting (that is ``kiosk.machine.press_guard.PressGuard`` in the main loop).

The pin factory is passed to every device explicitly (never gpiozero's global
``Device.pin_factory``), so a board on mock pins and one on real pins never
mix. On mock pins, ``press`` / ``hold`` / ``release`` drive the pins themselves:
the demo keys and the headless line script (``kiosk.shell.sim_script``) go through
exactly the code that real buttons do.
"""
from __future__ import annotations

import errno
import functools
import os
import re
import threading
from dataclasses import dataclass
from importlib.metadata import entry_points

from gpiozero import LED, Button, Buzzer
from gpiozero.exc import GPIOPinInUse, GPIOZeroError, PinFixedPull, PinInvalidPin, PinUnknownPi

from kiosk.core.errors import ButtonError, UnknownName
from kiosk.core.events import CounterAction, SurveyBoxPressed, TakeTicket
from kiosk.core.ports import BLINK, MODES, OFF, ON

# Tried in this order when no factory is named: lgpio works on every Pi model
# (and is the only one on a Pi 5); native is gpiozero's last resort.
AUTO_FACTORIES = ("lgpio", "rpigpio", "pigpio", "native")
NO_GPIO_FIX = ('set [buttons] pin_factory = "mock" or GPIOZERO_PIN_FACTORY=mock for a demo; '
               "on a Pi run `sudo ptsp-kiosk install` again: it installs lgpio (python3-lgpio from apt "
               "on Raspberry Pi OS, else lgpio from PyPI into the venv)")
BLINK_SECONDS = 0.4  # on and off time of a blinking light: calm, but clearly not "on"
# Counter signals (issue 15): blinks of the counter's light and buzzer beeps.
SIGNALS = {"nobody_waiting": 2, "counter_closed": 3}
SIGNAL_SECONDS = 0.15
_HOLD_MARGIN = 2.0  # extra seconds hold() waits for gpiozero's hold thread before giving up
_COUNTER_TARGET = re.compile(r"^(counter|loket|skip|lewati)\s*(\d+)$", re.IGNORECASE)
_SURVEY_TARGET = re.compile(r"^survey\s*([1-4])$", re.IGNORECASE)


def make_pin_factory(name=""):
    """The gpiozero pin factory called ``name`` (lgpio, rpigpio, pigpio, native,
    mock); empty means ``$GPIOZERO_PIN_FACTORY``, else the first of
    ``AUTO_FACTORIES`` that works here.

    Raises ``ButtonError`` whose message names the fix instead of gpiozero's
    ``BadPinFactory`` traceback.
    """
    name = (name or os.environ.get("GPIOZERO_PIN_FACTORY", "")).strip().lower()
    known = {ep.name.lower(): ep for ep in entry_points(group="gpiozero_pin_factories")}
    if name and name not in known:
        raise ButtonError(f"unknown pin factory {name!r}; use one of {', '.join(sorted(known))} "
                          "in [buttons] pin_factory or GPIOZERO_PIN_FACTORY")
    failures = []
    for candidate in ([name] if name else AUTO_FACTORIES):
        if candidate not in known:
            continue
        try:
            return known[candidate].load()()
        except Exception as e:  # each backend fails its own way: ImportError, OSError, PinUnknownPi...
            failures.append(f"{candidate}: {_factory_failure(e)}")
    raise ButtonError(f"no GPIO here ({'; '.join(failures) or 'no pin factory installed'}): {NO_GPIO_FIX}")


def _factory_failure(e):
    if isinstance(e, ModuleNotFoundError):
        return f"Python module {e.name!r} is not installed"
    if isinstance(e, PinUnknownPi):
        return "this is not a Raspberry Pi"
    if isinstance(e, PermissionError) or getattr(e, "errno", None) == errno.EACCES:
        return f"no permission ({e}); add the kiosk user to the gpio group"
    return f"{type(e).__name__}: {e}"


def factory_name(factory):
    """Short name of a pin factory for messages: 'mock', 'lgpio', ..."""
    cls = type(factory).__name__.lower()
    for name in ("mock", "lgpio", "rpigpio", "pigpio", "native"):
        if name in cls:
            return name
    return type(factory).__name__


# The Python module behind each gpiozero backend, to say where it was installed from.
_BACKEND_MODULES = {"lgpio": "lgpio", "rpigpio": "RPi.GPIO", "pigpio": "pigpio"}


def describe_pin_factory(factory, configured=""):
    """The pin factory in use for a technician: its name, where its library
    comes from (apt or the venv) and how it was chosen, e.g. ``lgpio (lgpio from
    the venv, pip: /opt/.../lgpio.py); chosen automatically ...``."""
    name = factory_name(factory)
    env = os.environ.get("GPIOZERO_PIN_FACTORY", "").strip()
    if configured:
        chosen = f"set by [buttons] pin_factory = {configured!r}"
    elif env:
        chosen = f"set by GPIOZERO_PIN_FACTORY={env}"
    else:
        chosen = f"chosen automatically (the first that works of {', '.join(AUTO_FACTORIES)})"
    module = _BACKEND_MODULES.get(name)
    if module is None:
        return f"{name}; {chosen}"
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    where = getattr(spec, "origin", None) or "?"
    source = "Debian package (apt)" if "/dist-packages/" in where else "the venv (pip)"
    return f"{name} ({module} from {source}: {where}); {chosen}"


@dataclass(frozen=True)
class Part:
    """One configured button, light or buzzer."""

    kind: str  # service_button | service_light | call_button | skip_button | status_light | buzzer
    key: str  # its config key, e.g. "services[0].button_pin"
    pin: int  # BCM number
    label: str  # for people: "A Layanan Kunjungan", "Loket 1: call"
    target: str  # for press()/hold(): "A", "counter 1", "skip 1"; for lights the service code


def parts(cfg):
    """Every configured button and light, in config order (for diag and docs)."""
    out = []
    lang = cfg.device.language
    for i, s in enumerate(cfg.services):
        label = f"{s.prefix} {s.display_name(lang)}"
        if s.button_pin is not None:
            out.append(Part("service_button", f"services[{i}].button_pin", s.button_pin, label, s.prefix))
        if s.led_pin is not None:
            out.append(Part("service_light", f"services[{i}].led_pin", s.led_pin, f"light {label}", s.code))
    for i, c in enumerate(cfg.counters):
        name = cfg.counter_name(c)
        if c.call_pin is not None:
            out.append(Part("call_button", f"counters[{i}].call_pin", c.call_pin,
                            f"{name}: call (hold: call again)", f"counter {c.number}"))
        if c.skip_pin is not None:
            out.append(Part("skip_button", f"counters[{i}].skip_pin", c.skip_pin, f"{name}: skip",
                            f"skip {c.number}"))
        if getattr(c, "led_pin", None) is not None:
            out.append(Part("counter_light", f"counters[{i}].led_pin", c.led_pin, f"{name}: light",
                            f"counter {c.number}"))
    b = cfg.buttons
    if b.status_led_pin is not None:
        out.append(Part("status_light", "buttons.status_led_pin", b.status_led_pin, "status light", "status"))
    if b.buzzer_pin is not None:
        out.append(Part("buzzer", "buttons.buzzer_pin", b.buzzer_pin, "buzzer", "buzzer"))
    survey = getattr(cfg, "survey", None)  # the survey box: four face buttons, scores 1-4
    for n, pin in enumerate(survey.box_pins() if survey is not None else (), 1):
        if pin is not None:
            out.append(Part("survey_button", f"survey.box_pin_{n}", pin, f"survey box: face {n} of 4",
                            f"survey {n}"))
    return out


def _device_error(e, part):
    """A ButtonError naming the config key and the fix for a device that failed to open."""
    where = f"{part.key} (GPIO {part.pin}, {part.label})"
    if isinstance(e, GPIOPinInUse):
        return ButtonError(f"{where}: the pin is already in use (by another program, or another "
                           "part of the config)")
    if isinstance(e, PinFixedPull):
        return ButtonError(f"{where}: this pin has a fixed pull-up resistor; set [buttons] active_low = "
                           "true or move the button to another pin")
    if isinstance(e, PinInvalidPin):
        return ButtonError(f"{where}: this board has no such pin")
    if isinstance(e, PermissionError) or getattr(e, "errno", None) == errno.EACCES:
        return ButtonError(f"{where}: no permission to use GPIO; add the kiosk user to the gpio group")
    return ButtonError(f"{where}: cannot open: {type(e).__name__}: {e}")


class ButtonBoard:
    """The kiosk's buttons and lights on one pin factory.

    ``cfg``: the whole ``kiosk.core.config.Config``; ``events``: the main loop's
    ``queue.Queue``; ``factory``: a gpiozero pin factory to use (the caller keeps
    ownership), else one is made from ``[buttons] pin_factory`` and closed with
    the board. Raises ``ButtonError`` when the GPIO cannot be set up.
    """

    def __init__(self, cfg, events, factory=None, blink_seconds=BLINK_SECONDS):
        self._cfg = cfg
        self._events = events
        self._blink_seconds = blink_seconds
        self._own_factory = factory is None
        self.factory = make_pin_factory(cfg.buttons.pin_factory) if factory is None else factory
        self._devices = []
        self._service_buttons = {}  # service code -> Button
        self._call_buttons = {}  # counter number -> Button
        self._skip_buttons = {}  # counter number -> Button
        self._survey_buttons = {}  # survey box score 1-4 -> Button
        self._service_lights = {}  # service code -> LED
        self._counter_lights = {}  # counter number -> LED (signals: nobody waiting, closed)
        self._status_light = None
        self._buzzer = None
        self._modes = {}  # light name -> last mode set, so repeating a mode never restarts a blink
        self._lock = threading.Lock()
        self._counter_state = {}  # counter number -> "pressed" | "held" | "idle"
        self._held = {}  # counter number -> threading.Event, set when a hold is recognised
        self._closed = False
        try:
            for part in parts(cfg):
                self._open(part)
        except BaseException:
            self.close()
            raise

    # -- building ---------------------------------------------------------
    def _open(self, part):
        b = self._cfg.buttons
        try:
            if part.kind.endswith("_button"):
                device = Button(part.pin, pull_up=b.active_low, bounce_time=b.bounce_time or None,
                                hold_time=b.hold_time, pin_factory=self.factory)
            elif part.kind == "buzzer":
                device = Buzzer(part.pin, pin_factory=self.factory)
            else:
                device = LED(part.pin, pin_factory=self.factory)
        except (GPIOZeroError, OSError, ValueError, RuntimeError) as e:
            raise _device_error(e, part) from e
        self._devices.append(device)
        if part.kind == "service_button":
            code = self._cfg.service(part.target).code
            device.when_pressed = functools.partial(self._events.put, TakeTicket(service=code, source="button"))
            self._service_buttons[code] = device
        elif part.kind == "call_button":
            number = int(part.target.split()[1])
            self._held[number] = threading.Event()
            device.when_pressed = functools.partial(self._call_pressed, number)
            device.when_held = functools.partial(self._call_held, number)
            device.when_released = functools.partial(self._call_released, number)
            self._call_buttons[number] = device
        elif part.kind == "survey_button":
            score = int(part.target.split()[1])
            device.when_pressed = functools.partial(self._events.put, SurveyBoxPressed(score))
            self._survey_buttons[score] = device
        elif part.kind == "skip_button":
            number = int(part.target.split()[1])
            device.when_pressed = functools.partial(self._events.put, CounterAction(number, "skip"))
            self._skip_buttons[number] = device
        elif part.kind == "service_light":
            self._service_lights[part.target] = device
        elif part.kind == "status_light":
            self._status_light = device
        elif part.kind == "counter_light":
            self._counter_lights[int(part.target.split()[1])] = device
        else:
            self._buzzer = device

    # -- callbacks (gpiozero threads: enqueue only) ------------------------
    # A short press calls on release, because only then do we know it was not
    # a hold. The lock orders the hold thread against the release edge, so a
    # press gives exactly one call or one recall, never both.
    def _call_pressed(self, number):
        with self._lock:
            self._counter_state[number] = "pressed"
            self._held[number].clear()

    def _call_held(self, number):
        with self._lock:
            if self._counter_state.get(number) != "pressed":
                return
            self._counter_state[number] = "held"
        self._events.put(CounterAction(number, "recall"))
        self._held[number].set()

    def _call_released(self, number):
        with self._lock:
            state = self._counter_state.get(number)
            self._counter_state[number] = "idle"
        # A release with no press seen (button already down at start) calls nobody.
        if state == "pressed":
            self._events.put(CounterAction(number, "call"))

    # -- lights -----------------------------------------------------------
    def set_service_light(self, service, mode):
        """Set the light of ``service`` (code or prefix) to "on", "off" or "blink".
        A service without a light is ignored; an unknown service raises UnknownName."""
        code = self._cfg.service(service).code
        led = self._service_lights.get(code)
        if led is not None:
            self._set_light(f"service:{code}", led, mode)

    def set_service_lights(self, modes):
        """Apply ``{service code: mode}``, e.g. from ``light_policy.service_lights``."""
        for code, mode in modes.items():
            self.set_service_light(code, mode)

    def service_light(self, service):
        """The mode last set for ``service``'s light ("off" until set), or None without a light."""
        code = self._cfg.service(service).code
        if code not in self._service_lights:
            return None
        return self._modes.get(f"service:{code}", OFF)

    def set_status_light(self, mode):
        """Set the kiosk status light (if configured) to "on", "off" or "blink"."""
        if self._status_light is not None:
            self._set_light("status", self._status_light, mode)

    def status_light(self):
        """The mode last set for the status light, or None without one."""
        return None if self._status_light is None else self._modes.get("status", OFF)

    def _set_light(self, name, led, mode):
        if mode not in MODES:
            raise ValueError(f"light mode must be one of {', '.join(MODES)}, not {mode!r}")
        if self._modes.get(name, OFF) == mode:
            return  # the main loop repeats modes every tick: restarting a blink would flicker
        try:
            if mode == ON:
                led.on()
            elif mode == BLINK:
                led.blink(on_time=self._blink_seconds, off_time=self._blink_seconds, background=True)
            else:
                led.off()
        except (GPIOZeroError, OSError) as e:
            raise ButtonError(f"cannot set {name} light: {e}") from e
        self._modes[name] = mode

    def signal_counter(self, counter, pattern):
        """Tell the officer at ``counter`` something with a short pattern (in the
        background): the counter's light blinks and the buzzer beeps, as many
        times as SIGNALS says ("nobody_waiting": 2, "counter_closed": 3). Parts
        that are not wired are skipped."""
        times = SIGNALS.get(pattern, 1)
        led = self._counter_lights.get(counter)
        if led is not None:
            try:
                led.blink(on_time=SIGNAL_SECONDS, off_time=SIGNAL_SECONDS, n=times, background=True)
            except (GPIOZeroError, OSError) as e:
                raise ButtonError(f"cannot blink the light of counter {counter}: {e}") from e
        self.beep(SIGNAL_SECONDS / 2, times)

    def counter_light(self, counter):
        """The LED of ``counter``'s light, or None when it has none (for tests and diag)."""
        return self._counter_lights.get(counter)

    def beep(self, seconds=0.1, times=1):
        """Sound the buzzer ``times`` short beeps (in the background); no buzzer: nothing."""
        if self._buzzer is None:
            return
        try:
            self._buzzer.beep(on_time=seconds, off_time=seconds, n=times, background=True)
        except (GPIOZeroError, OSError) as e:
            raise ButtonError(f"cannot sound the buzzer: {e}") from e

    @property
    def has_buzzer(self):
        return self._buzzer is not None

    # -- simulation (mock pins only) ----------------------------------------
    def press(self, target):
        """A short press of ``target`` on mock pins: a service (prefix or code),
        "counter N" (call button) or "skip N"."""
        button = self._sim_button(target)[0]
        self._drive(button, down=True)
        self._drive(button, down=False)

    def hold(self, target, wait=True):
        """Push ``target`` down and keep it down. For a counter call button with
        ``wait``, return once the hold is recognised (a recall is queued): True,
        or False if gpiozero did not report it in time. Follow with ``release``.
        With ``wait=False`` (a key held in the demo window) return at once."""
        button, number = self._sim_button(target)
        self._drive(button, down=True)
        if not wait or number is None:
            return True
        return self._held[number].wait(self._cfg.buttons.hold_time + _HOLD_MARGIN)

    def release(self, target):
        """Let ``target`` go (after ``hold``)."""
        self._drive(self._sim_button(target)[0], down=False)

    def targets(self):
        """Names ``press``/``hold``/``release`` accept, e.g. ["A", "counter 1", "skip 1"]."""
        return [p.target for p in parts(self._cfg) if p.kind.endswith("_button")]

    def _sim_button(self, target):
        """(Button, counter number if it is a call button, else None) for a target name."""
        text = " ".join(str(target).split())
        m = _COUNTER_TARGET.match(text)
        survey = _SURVEY_TARGET.match(text)
        if survey:
            button, call = self._survey_buttons.get(int(survey.group(1))), None
            what = "the survey box is not configured ([survey] box_pin_1..4)"
        elif m:
            kind, number = m.group(1).lower(), int(m.group(2))
            self._cfg.counter(number)  # UnknownName for a counter that is not configured
            if kind in ("skip", "lewati"):
                button, call = self._skip_buttons.get(number), None
                what = f"counter {number} has no skip_pin"
            else:
                button, call = self._call_buttons.get(number), number
                what = f"counter {number} has no call_pin"
        else:
            try:
                code = self._cfg.service(text).code
            except UnknownName:
                raise UnknownName(f"unknown button {text!r}; known: {', '.join(self.targets()) or 'none'}") from None
            button, call, what = self._service_buttons.get(code), None, f"service {code} has no button_pin"
        if button is None:
            raise ButtonError(f"{what} in the config, so it has no button to press")
        if not hasattr(button.pin, "drive_low"):
            raise ButtonError('pressing buttons from a script or keys needs mock pins: set [buttons] '
                              'pin_factory = "mock" (or GPIOZERO_PIN_FACTORY=mock)')
        return button, call

    def _drive(self, button, down):
        if self._closed:
            raise ButtonError("the button board is closed")
        # Active low: a pressed button pulls the pin to ground.
        if down == self._cfg.buttons.active_low:
            button.pin.drive_low()
        else:
            button.pin.drive_high()

    # -- end ----------------------------------------------------------------
    def close(self):
        """Turn every light off and release all pins (and the factory if the board made it).
        Safe to call twice."""
        if self._closed:
            return
        self._closed = True

        def close_one(device):
            try:
                if not isinstance(device, Button):
                    device.off()  # lights dark = the kiosk is not running
                device.close()
            except Exception:  # closing must go on for the other pins
                pass

        # Each Button's close joins its hold thread, which polls every 0.1 s:
        # closing them side by side keeps shutdown (and every test) short.
        closers = [threading.Thread(target=close_one, args=(d,), name="button-close") for d in self._devices]
        for t in closers:
            t.start()
        for t in closers:
            t.join(5.0)
        self._devices.clear()
        if self._own_factory and self.factory is not None:
            try:
                self.factory.close()
            except Exception:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
