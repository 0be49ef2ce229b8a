"""Group 'optimizers': every optimizer, schedule and clipping / weight-decay option.

Fit cases: the CAT_MODEL of goldens_training with the same fixed initial
weights (seed 1) and data, full batch (one step per epoch), 5 epochs,
shuffle=False.  Each records the per-epoch losses, the final weights and
the optimizer's variables (names, paths, values) plus its get_config().
Schedule cases record the schedule's values at steps 0..20 and its config.
Optimizer specs use nbkeras's spelling; a learning_rate given as
{"schedule": <class>, "kwargs": {...}} is a schedule; Keras-2 spellings are
translated by goldens_models.keras3_optimizer.
"""

import numpy as np

from goldens_common import Recorder, jsonable, keras_meta, to_np
from goldens_models import CAT_MODEL, F, Data, build_model, keras3_optimizer, opt

SEED = 1
STEPS = 21


def sched(cls, **kw):
    return {"schedule": cls, "kwargs": kw}


def init_weights(model, seed):
    """Same pattern as goldens_training.run_case (kernels * 0.5, biases * 0.1)."""
    rng = np.random.RandomState(seed)
    return [(rng.randn(*w.shape) * (0.5 if w.ndim == 2 else 0.1)).astype(F)
            for w in model.get_weights()]


def build_optimizer(keras, spec):
    if isinstance(spec, str):
        return spec
    kw = dict(spec["kwargs"])
    lr = kw.get("learning_rate")
    if isinstance(lr, dict):
        kw["learning_rate"] = getattr(keras.optimizers.schedules, lr["schedule"])(**lr["kwargs"])
    return keras3_optimizer(keras, {"class": spec["class"], "kwargs": kw})


def pack(arrays):
    """Concatenate arrays, flattened, into one float32 vector."""
    return np.concatenate([to_np(a).astype(F).reshape(-1) for a in arrays])


def fit_case(keras, rec, cid, spec, d, exclude=None):
    keras.utils.clear_session()
    model = build_model(keras, CAT_MODEL)
    init = init_weights(model, SEED)
    model.set_weights(init)
    optimizer = keras.optimizers.get(build_optimizer(keras, spec))
    if exclude:
        optimizer.exclude_from_weight_decay(var_names=exclude)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy")
    hist = model.fit(d.x, d.y_cat, batch_size=12, epochs=5, shuffle=False, verbose=0)
    paths = [v.path for v in model.weights]
    opt_vars = optimizer.variables
    # Keras puts every optimizer variable under "<optimizer name>/" except a few created
    # outside its name scope (Nadam's u_product): record those names only.
    unscoped = [v.name for v in opt_vars if v.path != f"{optimizer.name}/{v.name}"]
    assert all(v.path == v.name for v in opt_vars if v.name in unscoped)
    config = jsonable(optimizer.get_config())
    rec.case({
        "id": cid,
        "kind": "fit",
        "optimizer": spec,
        "exclude_from_weight_decay": exclude,
        "optimizer_class": type(optimizer).__name__,
        "x": rec.arr(cid, "x", d.x),
        "y": rec.arr(cid, "y", d.y_cat),
        "init_weights": rec.arrs(cid, "init", init),
        "weight_paths": paths,
        "loss": rec.arr(cid, "loss", np.array(hist.history["loss"])),
        # flat concatenations (one npz entry each); the test splits them by shape
        "final_weights": rec.arr(cid, "final", pack(model.get_weights())),
        "optimizer_variables": {"names": [v.name for v in opt_vars], "unscoped": unscoped,
                                "values": rec.arr(cid, "opt", pack([v.value for v in opt_vars]))},
        "config_keys": list(config),
        "config": config,
    })


def schedule_case(keras, rec, cid, spec):
    s = getattr(keras.optimizers.schedules, spec["schedule"])(**spec["kwargs"])
    values = np.array([float(s(i)) for i in range(STEPS)], np.float32)
    config = jsonable(s.get_config())
    rec.case({
        "id": cid,
        "kind": "schedule",
        "schedule": spec,
        "values": rec.arr(cid, "values", values),
        "config_keys": list(config),
        "config": config,
        "serialized": jsonable(keras.optimizers.schedules.serialize(s)),
    })


CLASSES = ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Lion",
           "Ftrl"]

# Non-default configurations (1-2 per optimizer) that move every hyperparameter.
CONFIGS = {
    "sgd_nesterov": opt("SGD", learning_rate=0.05, momentum=0.9, nesterov=True),
    "rmsprop_centered_momentum": opt("RMSprop", learning_rate=0.01, rho=0.8, momentum=0.5,
                                     epsilon=1e-5, centered=True),
    "adam_amsgrad_fast": opt("Adam", learning_rate=0.05, beta_2=0.5, amsgrad=True),
    "adamw_custom": opt("AdamW", learning_rate=0.01, weight_decay=0.1, beta_1=0.8, beta_2=0.99,
                        epsilon=1e-5),
    "adamw_amsgrad_fast": opt("AdamW", learning_rate=0.05, weight_decay=0.5, beta_2=0.5,
                              amsgrad=True),
    "adagrad_custom": opt("Adagrad", learning_rate=0.1, initial_accumulator_value=0.5,
                          epsilon=1e-4),
    "adagrad_zero_init": opt("Adagrad", learning_rate=0.05, initial_accumulator_value=0.0),
    "adadelta_lr1": opt("Adadelta", learning_rate=1.0),
    "adadelta_custom": opt("Adadelta", learning_rate=5.0, rho=0.7, epsilon=1e-5),
    "adamax_custom": opt("Adamax", learning_rate=0.05, beta_1=0.8, beta_2=0.9, epsilon=1e-5),
    "nadam_custom": opt("Nadam", learning_rate=0.01, beta_1=0.95, beta_2=0.99, epsilon=1e-5),
    "nadam_fast": opt("Nadam", learning_rate=0.05, beta_2=0.5),
    "lion_custom": opt("Lion", learning_rate=0.01, beta_1=0.5, beta_2=0.9),
    "lion_beta1_one": opt("Lion", learning_rate=0.02, beta_1=1.0, beta_2=0.5),
    "ftrl_regularized": opt("Ftrl", learning_rate=0.1, l1_regularization_strength=0.01,
                            l2_regularization_strength=0.02,
                            l2_shrinkage_regularization_strength=0.03, beta=0.1),
    "ftrl_power": opt("Ftrl", learning_rate=0.2, learning_rate_power=-0.7,
                      initial_accumulator_value=0.0, l1_regularization_strength=0.001),
    # Keras 2 spellings (lr=, decay=, epsilon=None); recorded with the Keras 3 equivalent
    "k2_adagrad": opt("Adagrad", lr=0.05, epsilon=None, decay=0.1),
    "k2_adadelta": opt("Adadelta", lr=1.0, rho=0.95, epsilon=None, decay=0.0),
    "k2_adamax": opt("Adamax", lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.05),
    "k2_nadam": opt("Nadam", lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=None),
    "k2_ftrl": opt("Ftrl", lr=0.05, decay=0.1),
    "k2_lion": opt("Lion", lr=0.005, decay=0.2),
}

# Each option on every optimizer; the thresholds are below the gradients' sizes.
OPTIONS = {
    "clipnorm": {"clipnorm": 0.1},
    "clipvalue": {"clipvalue": 0.02},
    "global_clipnorm": {"global_clipnorm": 0.15},
    "weight_decay": {"weight_decay": 0.2},
}
OPTION_LR = {"SGD": 0.1, "RMSprop": 0.01, "Adam": 0.01, "AdamW": 0.01, "Adagrad": 0.1,
             "Adadelta": 1.0, "Adamax": 0.02, "Nadam": 0.01, "Lion": 0.005, "Ftrl": 0.1}
OPTION_EXTRA = {"SGD": {"momentum": 0.5}}

SCHEDULES = {
    "exponential": sched("ExponentialDecay", initial_learning_rate=0.1, decay_steps=2,
                         decay_rate=0.5),
    "exponential_staircase": sched("ExponentialDecay", initial_learning_rate=0.1, decay_steps=3,
                                   decay_rate=0.7, staircase=True),
    "inverse_time": sched("InverseTimeDecay", initial_learning_rate=0.1, decay_steps=2,
                          decay_rate=0.5),
    "inverse_time_staircase": sched("InverseTimeDecay", initial_learning_rate=0.1,
                                    decay_steps=3, decay_rate=1.0, staircase=True),
    "piecewise": sched("PiecewiseConstantDecay", boundaries=[1, 3], values=[0.1, 0.05, 0.01]),
    "piecewise_many": sched("PiecewiseConstantDecay", boundaries=[2, 5, 9, 14],
                            values=[0.2, 0.1, 0.05, 0.02, 0.01]),
    "polynomial": sched("PolynomialDecay", initial_learning_rate=0.1, decay_steps=4),
    "polynomial_power_end": sched("PolynomialDecay", initial_learning_rate=0.1, decay_steps=3,
                                  end_learning_rate=0.01, power=2.0),
    "polynomial_cycle": sched("PolynomialDecay", initial_learning_rate=0.1, decay_steps=2,
                              end_learning_rate=0.02, power=0.5, cycle=True),
    "cosine": sched("CosineDecay", initial_learning_rate=0.1, decay_steps=4),
    "cosine_alpha": sched("CosineDecay", initial_learning_rate=0.1, decay_steps=10, alpha=0.2),
    "cosine_warmup": sched("CosineDecay", initial_learning_rate=0.0, decay_steps=3,
                           warmup_target=0.2, warmup_steps=2),
    "cosine_warmup_alpha": sched("CosineDecay", initial_learning_rate=0.01, decay_steps=8,
                                 alpha=0.1, warmup_target=0.1, warmup_steps=5),
    "cosine_restarts": sched("CosineDecayRestarts", initial_learning_rate=0.1,
                             first_decay_steps=2),
    "cosine_restarts_custom": sched("CosineDecayRestarts", initial_learning_rate=0.1,
                                    first_decay_steps=3, t_mul=1.0, m_mul=0.5, alpha=0.1),
    "cosine_restarts_t3": sched("CosineDecayRestarts", initial_learning_rate=0.1,
                                first_decay_steps=1, t_mul=3.0, m_mul=0.8),
    "cosine_restarts_t15": sched("CosineDecayRestarts", initial_learning_rate=0.1,
                                 first_decay_steps=2, t_mul=1.5, m_mul=0.9, alpha=0.05),
}


def generate(keras):
    rec = Recorder("optimizers", keras_meta())
    d = Data()
    for cls in CLASSES:
        fit_case(keras, rec, f"{cls.lower()}_default", opt(cls), d)
    for name in ("adamw", "Nadam", "FTRL"):
        fit_case(keras, rec, f"str_{name}", name, d)
    for cid, spec in CONFIGS.items():
        fit_case(keras, rec, cid, spec, d)
    for cls in CLASSES:
        for oname, okw in OPTIONS.items():
            kw = dict(learning_rate=OPTION_LR[cls], **OPTION_EXTRA.get(cls, {}), **okw)
            fit_case(keras, rec, f"{cls.lower()}_{oname}", opt(cls, **kw), d)
    # options together, on top of a schedule; weight decay skipping biases
    fit_case(keras, rec, "adam_clipnorm_wd_schedule",
             opt("Adam", learning_rate=SCHEDULES["cosine"], clipnorm=0.1, weight_decay=0.5), d)
    fit_case(keras, rec, "sgd_global_clipnorm_wd_schedule",
             opt("SGD", learning_rate=SCHEDULES["exponential"], momentum=0.9,
                 global_clipnorm=0.2, weight_decay=0.3), d)
    fit_case(keras, rec, "adamw_exclude_bias",
             opt("AdamW", learning_rate=0.01, weight_decay=0.5), d, exclude=["bias"])
    fit_case(keras, rec, "sgd_wd_exclude_kernel",
             opt("SGD", learning_rate=0.1, weight_decay=0.5), d, exclude=["kernel"])
    fit_case(keras, rec, "nadam_loss_scale",
             opt("Nadam", learning_rate=0.01, loss_scale_factor=4.0), d)
    # exponential moving average and gradient accumulation
    fit_case(keras, rec, "adam_ema", opt("Adam", learning_rate=0.05, use_ema=True,
                                         ema_momentum=0.5), d)
    fit_case(keras, rec, "sgd_ema_overwrite",
             opt("SGD", learning_rate=0.1, use_ema=True, ema_momentum=0.6,
                 ema_overwrite_frequency=2), d)
    fit_case(keras, rec, "adam_grad_accum", opt("Adam", learning_rate=0.05,
                                                gradient_accumulation_steps=2), d)
    fit_case(keras, rec, "nadam_grad_accum_clip",
             opt("Nadam", learning_rate=0.05, gradient_accumulation_steps=2, clipvalue=0.02), d)
    # every schedule as SGD's learning rate, and its values at steps 0..20
    for sname, s in SCHEDULES.items():
        fit_case(keras, rec, f"sgd_schedule_{sname}", opt("SGD", learning_rate=s), d)
        schedule_case(keras, rec, f"schedule_{sname}", s)
    # optimizers.get() names
    keras.utils.clear_session()
    rec.case({"id": "get_aliases", "kind": "aliases",
              "classes": {n: type(keras.optimizers.get(n)).__name__
                          for n in ("sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta",
                                    "adamax", "nadam", "lion", "ftrl", "SGD", "RMSprop",
                                    "AdamW", "Ftrl", "NADAM")}})
    keras.utils.clear_session()
    rec.case({"id": "default_names", "kind": "names",
              "names": [[c, getattr(keras.optimizers, c)().name] for c in CLASSES + ["Adam"]]})
    return rec.save()
