"""Callback scenarios run unchanged on real Keras (tools/goldens_callbacks.py) and on nbkeras
(tests/test_parity_callbacks.py): the same data, weights, fits and callbacks on both.

`run_case(keras, case, workdir)` trains a small fixed model with the case's callbacks and
returns what they did: the history, the final weights, the printed messages, each callback's
attributes (stopped epoch, best epoch, ...), the files written under `workdir` and the text of
any CSV log. Regression data: a 3 -> 2 linear model trained on `y = x @ W`, validated on
`0.75 * x @ W + 0.1`, so `val_loss` falls for 20 epochs, then rises.
"""

import contextlib
import io
import os

import numpy as np

F = np.float32

# Schedules for LearningRateScheduler, by name (JSON cases refer to them by name).
SCHEDULES = {
    "exp_decay_epoch": lambda epoch: 0.05 * 0.9 ** epoch,
    "halve_after_2": lambda epoch, lr: lr if epoch < 2 else lr * 0.5,
    "step_drop": lambda epoch, lr: 0.03 if epoch < 3 else 0.01,
    "tutorial_decay": lambda epoch: 0.06 * (0.9 ** epoch),
}


def data(kind="base"):
    rng = np.random.RandomState(7)
    x = rng.randn(16, 3).astype(F)
    w = np.array([[1.5, -1.0], [0.5, 2.0], [-1.0, 0.5]], F)
    y = (x @ w).astype(F)
    xv = rng.randn(8, 3).astype(F)
    yv = (xv @ w * 0.75 + 0.1).astype(F)
    if kind == "nan":
        y = y.copy()
        y[12] = np.nan  # batch 1 (batch_size 8) has a NaN loss
    return x, y, xv, yv


def init_weights():
    rng = np.random.RandomState(11)
    return [(rng.randn(3, 2) * 0.1).astype(F), (rng.randn(2) * 0.1).astype(F)]


def interrupt_at(keras, epoch):
    """A callback raising RuntimeError when `epoch` begins (an interrupted run)."""

    class InterruptAt(keras.callbacks.Callback):
        def on_epoch_begin(self, e, logs=None):
            if e == epoch:
                raise RuntimeError(f"interrupted at epoch {e}")

    return InterruptAt()


def hook_recorder(keras, events):
    """A LambdaCallback appending (hook, index) for every hook, as Keras names them."""
    names = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
             "on_predict_batch_begin", "on_predict_batch_end"]

    def make(name):
        def hook(*args, **kwargs):
            index = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
            logs = kwargs.get("logs", args[-1] if args and isinstance(args[-1], dict) else None)
            keys = sorted(logs) if isinstance(logs, dict) else None
            events.append([name] + index + [keys])
        return hook

    return keras.callbacks.LambdaCallback(**{n: make(n) for n in names})


def build_callback(keras, spec, workdir):
    kwargs = dict(spec.get("kwargs", {}))
    for key in ("filepath", "filename", "backup_dir"):
        if key in kwargs:
            kwargs[key] = os.path.join(workdir, kwargs[key])
    if "schedule" in kwargs:
        kwargs["schedule"] = SCHEDULES[kwargs["schedule"]]
    return getattr(keras.callbacks, spec["class"])(**kwargs)


def build_model(keras, case):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.set_weights(init_weights())
    opt = case.get("optimizer", {"class": "SGD", "kwargs": {"learning_rate": 0.02}})
    model.compile(optimizer=getattr(keras.optimizers, opt["class"])(**opt["kwargs"]),
                  loss="mse", metrics=case.get("metrics", ["mae"]))
    return model


ATTRS = ("stopped_epoch", "best_epoch", "wait", "best", "cooldown_counter")


def run_case(keras, case, workdir):
    """Run `case` with `keras` (real Keras or nbkeras) in `workdir`; return the results dict."""
    x, y, xv, yv = data(case.get("data", "base"))
    model = build_model(keras, case)
    callbacks = [build_callback(keras, spec, workdir) for spec in case["callbacks"]]
    out = {"histories": [], "errors": []}
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        for fit in case.get("fits", [{}]):
            cbs = [callbacks[i] for i in fit.get("use", range(len(callbacks)))]
            if "interrupt_at" in fit:
                cbs.append(interrupt_at(keras, fit["interrupt_at"]))
            kw = {"epochs": 6, "batch_size": 8, "shuffle": False, "verbose": 0}
            kw.update(fit.get("kwargs", {}))
            if fit.get("validation", True):
                kw["validation_data"] = (xv, yv)
            try:
                history = model.fit(x, y, callbacks=cbs, **kw)
                out["histories"].append({k: [float(v) for v in vals]
                                         for k, vals in history.history.items()})
                out["errors"].append(None)
            except RuntimeError as e:
                out["histories"].append(None)
                out["errors"].append(str(e))
    out["stdout"] = stdout.getvalue().replace(os.path.join(workdir, ""), "<workdir>/")
    out["final_weights"] = [np.asarray(w, F) for w in model.get_weights()]
    out["attrs"] = [{a: _plain(getattr(cb, a)) for a in ATTRS if hasattr(cb, a)}
                    for cb in callbacks]
    out["files"] = sorted(os.path.relpath(os.path.join(root, f), workdir)
                          for root, _, files in os.walk(workdir) for f in files)
    out["texts"] = {}
    for name in out["files"]:
        if name.endswith((".csv", ".log")):
            with open(os.path.join(workdir, name), newline="") as f:
                out["texts"][name] = f.read()
    return out


def run_hooks(keras):
    """The (hook, index, sorted log keys) sequence of fit (with validation), evaluate, predict."""
    x, y, xv, yv = data()
    model = build_model(keras, {})
    events = []
    recorder = hook_recorder(keras, events)
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0,
              validation_data=(xv, yv), callbacks=[recorder])
    events.append(["evaluate"])
    model.evaluate(xv, yv, batch_size=4, verbose=0, callbacks=[recorder])
    events.append(["predict"])
    model.predict(xv, batch_size=4, verbose=0, callbacks=[recorder])
    return events


def _plain(value):
    if value is None or isinstance(value, (int, str)):
        return value
    return float(value)


def es(**kwargs):
    return {"class": "EarlyStopping", "kwargs": dict(kwargs, verbose=1)}


def rlr(**kwargs):
    return {"class": "ReduceLROnPlateau", "kwargs": dict(kwargs, verbose=1)}


SGD_026 = {"class": "SGD", "kwargs": {"learning_rate": 0.026}}


def ckpt(filepath, **kwargs):
    return {"class": "ModelCheckpoint", "kwargs": dict(kwargs, filepath=filepath)}


E30 = [{"kwargs": {"epochs": 30}}]

CASES = [
    # EarlyStopping: val_loss falls until epoch 20 (0-based), then rises.
    {"id": "es_patience3", "callbacks": [es(patience=3)], "fits": E30},
    {"id": "es_restore", "callbacks": [es(patience=3, restore_best_weights=True)], "fits": E30},
    {"id": "es_min_delta", "callbacks": [es(patience=2, min_delta=0.02, restore_best_weights=True)],
     "fits": E30},
    {"id": "es_max_restore", "callbacks": [es(mode="max", patience=2, restore_best_weights=True)],
     "fits": E30},
    {"id": "es_baseline", "callbacks": [es(patience=3, baseline=0.19, restore_best_weights=True)],
     "fits": E30},
    {"id": "es_start_from_epoch",
     "callbacks": [es(monitor="loss", mode="max", patience=1, start_from_epoch=4)], "fits": E30},
    {"id": "es_restore_no_stop", "callbacks": [es(patience=50, restore_best_weights=True)],
     "fits": [{"kwargs": {"epochs": 25}}]},
    {"id": "es_val_mae_auto", "callbacks": [es(monitor="val_mae", patience=2, min_delta=0.007)],
     "fits": E30},
    {"id": "es_cosine_auto_up", "metrics": ["mae", "cosine_similarity"],
     "callbacks": [es(monitor="val_cosine_similarity", patience=2, min_delta=0.008)],
     "fits": E30},
    # ReduceLROnPlateau: per-epoch learning rates in the history.
    {"id": "rlr_val_loss", "callbacks": [rlr(factor=0.5, patience=2)], "fits": E30},
    {"id": "rlr_cooldown", "callbacks": [rlr(monitor="val_mae", factor=0.5, patience=1,
                                              cooldown=2, min_delta=0.03)], "fits": E30},
    {"id": "rlr_min_lr", "callbacks": [rlr(monitor="loss", factor=0.5, patience=1,
                                            min_delta=0.5, min_lr=0.004)], "fits": E30},
    {"id": "rlr_max", "callbacks": [rlr(monitor="val_mae", mode="max", factor=0.3, patience=3)],
     "fits": [{"kwargs": {"epochs": 12}}]},
    # LearningRateScheduler: one- and two-argument schedules.
    {"id": "lrs_one_arg", "callbacks": [{"class": "LearningRateScheduler",
                                          "kwargs": {"schedule": "exp_decay_epoch", "verbose": 1}}],
     "fits": [{"kwargs": {"epochs": 5}}]},
    {"id": "lrs_two_arg", "callbacks": [{"class": "LearningRateScheduler",
                                          "kwargs": {"schedule": "halve_after_2", "verbose": 1}}],
     "fits": [{"kwargs": {"epochs": 5}}]},
    # ModelCheckpoint: the files written.
    {"id": "ckpt_every_epoch", "optimizer": SGD_026,
     "callbacks": [ckpt("ckpt.{epoch:02d}-{val_loss:.2f}.keras", verbose=1)],
     "fits": [{"kwargs": {"epochs": 4}}]},
    {"id": "ckpt_best_only", "optimizer": SGD_026,
     "callbacks": [ckpt("ckpt.{epoch:02d}-{val_loss:.2f}.keras", save_best_only=True, verbose=1)],
     "fits": [{"kwargs": {"epochs": 25}}]},
    {"id": "ckpt_best_fixed_name", "callbacks": [ckpt("best.keras", save_best_only=True,
                                                      monitor="val_mae", verbose=1)],
     "fits": [{"kwargs": {"epochs": 25}}]},
    {"id": "ckpt_threshold", "callbacks": [ckpt("t{epoch:02d}.keras", save_best_only=True,
                                                initial_value_threshold=0.3)],
     "fits": [{"kwargs": {"epochs": 25}}]},
    {"id": "ckpt_mode_max", "callbacks": [ckpt("m{epoch:02d}.keras", save_best_only=True,
                                               mode="max", monitor="val_mae")],
     "fits": [{"kwargs": {"epochs": 5}}]},
    {"id": "ckpt_weights_batch", "callbacks": [ckpt("sub/w{epoch:02d}-{batch:02d}.weights.h5",
                                                    save_weights_only=True, save_freq=3)],
     "fits": [{"kwargs": {"epochs": 5}}]},
    {"id": "ckpt_batch_best_loss", "callbacks": [ckpt("b{epoch}-{batch}-{loss:.3f}.keras",
                                                      monitor="loss", save_best_only=True,
                                                      save_freq=3)],
     "fits": [{"kwargs": {"epochs": 6}}]},
    {"id": "ckpt_legacy_h5", "callbacks": [ckpt("legacy.{epoch:02d}.h5")],
     "fits": [{"kwargs": {"epochs": 2}}]},
    # CSVLogger: the file's text.
    {"id": "csv_basic", "callbacks": [{"class": "CSVLogger", "kwargs": {"filename": "log.csv"}}],
     "fits": [{"kwargs": {"epochs": 3}}]},
    {"id": "csv_no_validation", "callbacks": [{"class": "CSVLogger",
                                               "kwargs": {"filename": "log.csv"}}],
     "fits": [{"kwargs": {"epochs": 2}, "validation": False}]},
    {"id": "csv_append_separator",
     "callbacks": [{"class": "CSVLogger", "kwargs": {"filename": "log.csv", "separator": ";",
                                                     "append": True}}],
     "fits": [{"kwargs": {"epochs": 2}}, {"kwargs": {"epochs": 4, "initial_epoch": 2}}]},
    {"id": "csv_with_lr", "callbacks": [{"class": "LearningRateScheduler",
                                         "kwargs": {"schedule": "step_drop"}},
                                        {"class": "CSVLogger", "kwargs": {"filename": "lr.log"}}],
     "fits": [{"kwargs": {"epochs": 5}}]},
    # TerminateOnNaN: y has a NaN in batch 1.
    {"id": "terminate_on_nan", "data": "nan", "callbacks": [{"class": "TerminateOnNaN"}],
     "fits": [{"kwargs": {"epochs": 3}}]},
    # The tutorial's trio (ModelCheckpoint + EarlyStopping + LearningRateScheduler).
    {"id": "tutorial_trio",
     "callbacks": [ckpt("weights.{epoch:02d}-{val_loss:.2f}.h5", monitor="val_loss", verbose=1,
                        save_best_only=True, mode="min"),
                   es(monitor="val_loss", patience=2, mode="min"),
                   {"class": "LearningRateScheduler",
                    "kwargs": {"schedule": "tutorial_decay", "verbose": 1}}],
     "fits": [{"kwargs": {"epochs": 40}}]},
    # BackupAndRestore: an interrupted run, resumed, against an uninterrupted one.
    {"id": "backup_resume", "optimizer": {"class": "Adam", "kwargs": {"learning_rate": 0.05}},
     "callbacks": [{"class": "BackupAndRestore", "kwargs": {"backup_dir": "backup"}}],
     "fits": [{"kwargs": {"epochs": 6}, "interrupt_at": 3}, {"kwargs": {"epochs": 6}}]},
    {"id": "backup_uninterrupted",
     "optimizer": {"class": "Adam", "kwargs": {"learning_rate": 0.05}},
     "callbacks": [{"class": "BackupAndRestore", "kwargs": {"backup_dir": "backup"}}],
     "fits": [{"kwargs": {"epochs": 6}}]},
    {"id": "backup_batch_freq",
     "optimizer": {"class": "Adam", "kwargs": {"learning_rate": 0.05}},
     "callbacks": [{"class": "BackupAndRestore", "kwargs": {"backup_dir": "backup",
                                                            "save_freq": 3,
                                                            "delete_checkpoint": False}}],
     "fits": [{"kwargs": {"epochs": 6}, "interrupt_at": 3}, {"kwargs": {"epochs": 6}}]},
]
