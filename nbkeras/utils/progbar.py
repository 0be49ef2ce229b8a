"""`Progbar`: Keras's text progress bar, throttled so that it never floods an output.

On a terminal the bar redraws in place at most `1 / interval` times a second, and a line that
is still being redrawn is cut to the terminal's width (a wrapped line cannot be redrawn, and
would leave stale lines). Elsewhere (a log file, a pipe, a notebook) it prints one line when
the epoch ends.
"""

import shutil
import sys
import time


def format_value(v):
    """Format a metric value as Keras does: 4 decimals, or scientific below 1e-3."""
    v = float(v)
    return f"{v:.4f}" if abs(v) > 1e-3 or v == 0 else f"{v:.4e}"


def format_eta(seconds):
    """Keras's ETA: '7s' under a minute, '1:05', '1:02:03' past an hour (whole seconds)."""
    seconds = max(float(seconds), 0.0)
    if seconds > 3600:
        return "%d:%02d:%02d" % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def format_time(seconds):
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms"
    return f"{seconds * 1e6:.0f}us"


class Progbar:
    """Displays `current/target` progress with a bar, timing and metric values.

    Args:
        target: the number of steps, or None if unknown.
        width: the bar width in characters.
        verbose: 1 for the bar, 2 for one line at the end.
        interval: the minimum time between redraws, in seconds.
        stream: where to write (sys.stdout by default).

    Example:
        >>> bar = Progbar(10)
        >>> for i in range(10):
        ...     bar.update(i + 1, [("loss", 0.5)])
    """

    def __init__(self, target, width=20, verbose=1, interval=0.1, stream=None, unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stream = stream or sys.stdout
        self.unit_name = unit_name
        isatty = getattr(self.stream, "isatty", None)
        self.dynamic = bool(isatty and isatty())
        self._start = time.perf_counter()
        self._last = 0.0
        self._values = {}
        self._width_drawn = 0

    def update(self, current, values=None, finalize=None):
        """Record progress; redraw if enough time has passed (or when finalizing)."""
        if values:
            for k, v in values:
                self._values[k] = v
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.perf_counter()
        if not finalize and (now - self._last < self.interval or not self.dynamic or self.verbose != 1):
            return
        self._last = now
        line = self._line(current, now - self._start, finalize)
        if self.dynamic and self.verbose == 1:
            if not finalize:  # the last column stays free: a full line would wrap on some terminals
                line = line[:max(shutil.get_terminal_size().columns - 1, 20)]
            pad = max(self._width_drawn - len(line), 0)
            self.stream.write("\r" + line + " " * pad)
            self._width_drawn = len(line)
            if finalize:
                self.stream.write("\n")
        elif finalize:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _line(self, current, elapsed, finalize):
        per_step = elapsed / current if current else 0.0
        if self.target is not None:
            head = f"{current:>{len(str(self.target))}}/{self.target}"
        else:  # a generator without steps_per_epoch: Keras writes "5/Unknown"
            head = f"{current}/Unknown"
        if self.verbose == 2:
            parts = [head, f"{elapsed:.0f}s", f"{format_time(per_step)}/{self.unit_name}"]
            line = " - ".join(parts)
        else:
            bar = ""
            if self.target:
                filled = int(self.width * min(current, self.target) / self.target)
                bar = " " + "━" * filled + "─" * (self.width - filled)
            if finalize or not self.target:
                when = f"{elapsed:.0f}s"
            else:
                when = format_eta(per_step * (self.target - current))
            line = f"{head}{bar} {when} {format_time(per_step)}/{self.unit_name}"
        for k, v in self._values.items():
            line += f" - {k}: {format_value(v)}"
        return line
