"""`%nbkeras` line magic (load with `%load_ext nbkeras`).

    %nbkeras info                 versions, device, float type, threads, kernel cache
    %nbkeras device cpu|cuda      select the device (cuda says why it is unavailable)
    %nbkeras seed N               seed Python, NumPy and nbkeras
    %nbkeras summary M            M.summary()
    %nbkeras plot M               the layer graph of M (plot_model)
    %nbkeras history H            the curves and last epochs of a History (or M.history)
    %nbkeras live on|off          LivePlot in every fit
    %nbkeras warmup               compile the usual kernels ahead of time, with a progress bar
    %nbkeras cache info|clear     the on-disk kernel cache
    %nbkeras profile M x y        one epoch, timed per layer (forward/backward), optimizer, FLOPs
    %nbkeras help                 this list
"""

import shlex
import time

USAGE = ("usage: %nbkeras info | device cpu|cuda | seed N | summary M | plot M | history H | "
         "live on|off | warmup | cache info|clear | profile M x y [batch_size] | help")


class NbkerasMagicError(Exception):
    """A bad `%nbkeras` command line: shown as a one-line error with the usage."""


def _fmt_bytes(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


class Commands:
    """The subcommands; `shell` gives the user namespace (for M, H, x, y)."""

    def __init__(self, shell):
        self.shell = shell

    def _eval(self, expr):
        try:
            return eval(expr, self.shell.user_ns)  # noqa: S307 (the user's own notebook code)
        except Exception as e:
            raise NbkerasMagicError(f"cannot evaluate {expr!r}: {type(e).__name__}: {e}") from None

    def _display(self, obj):
        from IPython.display import display

        display(obj)

    def _need(self, args, n, what):
        if len(args) != n:
            raise NbkerasMagicError(f"{what} takes {n} argument{'s' if n != 1 else ''}")

    def run(self, line):
        try:
            args = shlex.split(line)
        except ValueError as e:
            raise NbkerasMagicError(str(e)) from None
        if not args:
            return self.help([])
        cmd, rest = args[0], args[1:]
        fn = getattr(self, "cmd_" + cmd, None) if cmd.isidentifier() else None
        if fn is None:
            if cmd in ("help", "-h", "--help"):
                return self.help(rest)
            raise NbkerasMagicError(f"unknown subcommand {cmd!r}")
        return fn(rest)

    def help(self, args):
        print(__doc__.split("\n\n", 1)[1].rstrip().replace("\n    ", "\n").strip())

    def cmd_info(self, args):
        self._need(args, 0, "info")
        import platform

        import numpy as np

        import nbkeras
        from nbkeras import config
        from nbkeras.notebook.kernel_cache import cache_info

        try:
            import numba

            numba_v, threads = numba.__version__, numba.config.NUMBA_NUM_THREADS
        except ImportError:
            numba_v, threads = "not installed", "-"
        files, size, dirs = cache_info()
        print(f"nbkeras {nbkeras.__version__} (backend {config.backend()}), Python "
              f"{platform.python_version()}, NumPy {np.__version__}, Numba {numba_v}")
        print(f"device: {config.device()}; floatx: {config.floatx()}; Numba threads: {threads}")
        from nbkeras.backend.cuda_check import describe

        print(describe())
        print(f"live plots in every fit: {'on' if config.live_plot() else 'off'}")
        print(f"kernel cache: {files} files, {_fmt_bytes(size)}")

    def cmd_device(self, args):
        self._need(args, 1, "device")
        from nbkeras import config

        name = args[0]
        if name not in ("cpu", "cuda"):
            raise NbkerasMagicError(f"device must be cpu or cuda, not {name!r}")
        try:
            config.set_device(name)
        except (ValueError, RuntimeError) as e:  # RuntimeError: CUDA is unavailable here
            print(f"device stays {config.device()}: {e}")
            return
        print(f"device: {config.device()}")

    def cmd_seed(self, args):
        self._need(args, 1, "seed")
        try:
            seed = int(args[0])
        except ValueError:
            raise NbkerasMagicError(f"seed must be an integer, not {args[0]!r}") from None
        from nbkeras.utils import set_random_seed

        set_random_seed(seed)
        print(f"seeded Python, NumPy and nbkeras with {seed}")

    def _model(self, expr):
        from nbkeras.models.model import Model

        m = self._eval(expr)
        if not isinstance(m, Model):
            raise NbkerasMagicError(f"{expr} is a {type(m).__name__}, not an nbkeras model")
        return m

    def cmd_summary(self, args):
        self._need(args, 1, "summary")
        self._model(args[0]).summary()

    def cmd_plot(self, args):
        self._need(args, 1, "plot")
        from nbkeras.utils import plot_model

        self._display(plot_model(self._model(args[0]), to_file=None, show_shapes=True,
                                 show_layer_names=True))

    def cmd_history(self, args):
        self._need(args, 1, "history")
        from nbkeras.callbacks.history import History

        h = self._eval(args[0])
        h = getattr(h, "history", h) if not isinstance(h, History) else h
        if not isinstance(h, History):
            raise NbkerasMagicError(f"{args[0]} is neither a History nor a model that was fit")
        self._display(h)

    def cmd_live(self, args):
        self._need(args, 1, "live")
        if args[0] not in ("on", "off"):
            raise NbkerasMagicError(f"live takes on or off, not {args[0]!r}")
        from nbkeras import config

        config.set_live_plot(args[0] == "on")
        print(f"live plots in every fit: {args[0]}")

    def cmd_warmup(self, args):
        self._need(args, 0, "warmup")
        from nbkeras.notebook.environment import in_notebook
        from nbkeras.notebook.kernel_cache import warmup

        handle = None
        if in_notebook():  # one output line, updated in place (no widget state to save)
            from nbkeras.notebook.environment import display

            handle = display({"text/plain": "warmup: starting"}, raw=True, display_id=True)
            shown = [0.0]

            def progress(i, n, what):
                now = time.perf_counter()
                if now - shown[0] > 0.25 or i >= n:
                    shown[0] = now
                    handle.update({"text/plain": f"warmup [{min(i + 1, n)}/{n}] {what}"},
                                  raw=True)
        else:
            def progress(i, n, what):
                if i < n:
                    print(f"[{i + 1}/{n}] {what}", flush=True)
        compiled, failed = warmup(progress)
        if handle is not None:
            handle.update({"text/plain": f"warmup: {'failed' if failed else 'done'}"}, raw=True)
        for what, err in failed:
            print(f"warmup of {what} failed: {err}")
        print(f"warmup done: {compiled} kernel signatures compiled or loaded from the cache")

    def cmd_cache(self, args):
        self._need(args, 1, "cache")
        from nbkeras.notebook import kernel_cache

        if args[0] == "info":
            files, size, dirs = kernel_cache.cache_info()
            print(f"kernel cache: {files} files, {_fmt_bytes(size)} in {', '.join(dirs)}")
        elif args[0] == "clear":
            print(f"kernel cache cleared: {kernel_cache.clear_cache()} files removed "
                  "(kernels recompile when next used)")
        else:
            raise NbkerasMagicError(f"cache takes info or clear, not {args[0]!r}")

    def cmd_profile(self, args):
        if len(args) not in (3, 4):
            raise NbkerasMagicError("profile takes M x y [batch_size]")
        from nbkeras.notebook.profiler import format_profile, profile_fit

        model = self._model(args[0])
        if not model.compiled:
            raise NbkerasMagicError(f"compile {args[0]} before profiling it")
        x, y = self._eval(args[1]), self._eval(args[2])
        batch = int(args[3]) if len(args) == 4 else 32
        print(format_profile(profile_fit(model, x, y, batch_size=batch)))


def nbkeras_magic(line, shell=None):
    """Run one `%nbkeras` line; a bad command prints a one-line error with the usage."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    try:
        return Commands(shell).run(line)
    except NbkerasMagicError as e:
        print(f"%nbkeras: {e}. {USAGE}")


def load_ipython_extension(ipython):
    """Register `%nbkeras` (called by `%load_ext nbkeras`)."""
    ipython.register_magic_function(lambda line: nbkeras_magic(line, ipython),
                                    magic_kind="line", magic_name="nbkeras")
