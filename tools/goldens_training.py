"""Group d) + e): compile/fit trajectories, evaluate, predict.

Every case records the nbkeras (public Keras) spelling of the model,
optimizer, loss and fit arguments; Keras-2 optimizer spellings are
translated (goldens_models.keras3_optimizer) to their exact Keras-3
equivalent before training.
"""

import zlib

import numpy as np

from goldens_common import Recorder, keras_meta, to_np
from goldens_models import (BIN_MODEL, BN_MODEL, CAT_MODEL, F, LOGIT_MODEL,
                            REG_MODEL, TUTORIAL_BN_MODEL, TUTORIAL_MODEL,
                            Data, build_loss, build_model, keras3_optimizer,
                            opt)


def run_case(keras, rec, cid, layers, optimizer, loss, x, y, fit,
             metrics=None, build="list", eval_data=None, predict_x=None,
             seed=None, kernel_scale=0.5, last_bias=None):
    """Initial weights come from RandomState(seed); seed defaults to a hash
    of the case id, so cases are independent of their order.  Cases sharing
    a seed and an architecture start from identical weights."""
    keras.utils.clear_session()
    model = build_model(keras, layers, build)
    if seed is None:
        seed = zlib.crc32(cid.encode())
    rng = np.random.RandomState(seed)
    init = []
    for w in model.get_weights():
        if w.ndim == 2:
            init.append((rng.randn(*w.shape) * kernel_scale).astype(F))
        else:
            init.append((rng.randn(*w.shape) * 0.1).astype(F))
    if last_bias is not None:
        init[-1] = np.full_like(init[-1], last_bias)
    # BatchNormalization: gamma near 1, moving variance positive
    names = [v.path for v in model.weights]
    for i, n in enumerate(names):
        if n.endswith("gamma"):
            init[i] = (1.0 + init[i]).astype(F)
        if n.endswith("moving_variance"):
            init[i] = (0.5 + np.abs(init[i]) * 5).astype(F)
    model.set_weights(init)
    compile_spec = {"optimizer": optimizer, "loss": loss, "metrics": metrics}
    model.compile(optimizer=keras3_optimizer(keras, optimizer),
                  loss=build_loss(keras, loss), metrics=metrics)
    fit_kw = {"epochs": 5, "shuffle": False, "verbose": 0}
    fit_kw.update(fit)
    fit_json = {k: v for k, v in fit_kw.items()}
    if "sample_weight" in fit:
        fit_json["sample_weight"] = rec.arr(cid, "fit_sw", fit["sample_weight"])
    if "class_weight" in fit:
        fit_json["class_weight"] = {str(k): v for k, v in fit["class_weight"].items()}
    if "validation_data" in fit:
        fit_json["validation_data"] = [rec.arr(cid, f"val{i}", a)
                                       for i, a in enumerate(fit["validation_data"])]
        fit_kw["validation_data"] = tuple(fit["validation_data"])
    hist = model.fit(x, y, **fit_kw)
    ex, ey = eval_data if eval_data is not None else (x, y)
    ev = model.evaluate(ex, ey, verbose=0)
    ev_dict = model.evaluate(ex, ey, verbose=0, return_dict=True)
    px = predict_x if predict_x is not None else x[:4]
    pred = model.predict(px, verbose=0)
    hkeys = list(hist.history.keys())
    # A Dense bias feeding BatchNormalization (training mode) has an exact
    # gradient of 0 (BN subtracts the batch mean); its recorded movement is
    # float32 rounding noise, scaled up by adaptive optimizers.
    zero_grad = [a.bias.path for a, b in zip(model.layers, model.layers[1:])
                 if isinstance(a, keras.layers.Dense) and a.use_bias
                 and isinstance(b, keras.layers.BatchNormalization)]
    rec.case({
        "id": cid,
        "layers": layers,
        "build": build,
        "compile": compile_spec,
        "x": rec.arr(cid, "x", x),
        "y": rec.arr(cid, "y", y),
        "fit": fit_json,
        "init_weights": rec.arrs(cid, "init", init),
        "weight_paths": names,
        "zero_gradient_weights": zero_grad,
        "history_keys": hkeys,
        "history": {k: rec.arr(cid, f"hist_{k}", np.array(hist.history[k]))
                    for k in hkeys},
        "final_weights": rec.arrs(cid, "final",
                                  [to_np(w) for w in model.get_weights()]),
        "evaluate_x": rec.arr(cid, "eval_x", ex),
        "evaluate_y": rec.arr(cid, "eval_y", ey),
        "evaluate": rec.arr(cid, "evaluate", np.array(ev)),
        "evaluate_dict_keys": list(ev_dict.keys()),
        "evaluate_dict_values": rec.arr(cid, "evaluate_dict_values",
                                        np.array(list(ev_dict.values()))),
        "predict_x": rec.arr(cid, "predict_x", px),
        "predict": rec.arr(cid, "predict", to_np(pred)),
    })


def generate(keras):
    rec = Recorder("training", keras_meta())
    d = Data()
    full = {"batch_size": 12}

    # --- one batch per epoch, one case per optimizer configuration -----
    optimizers = {
        "sgd_default": opt("SGD"),
        "sgd_momentum": opt("SGD", momentum=0.9),
        "sgd_nesterov": opt("SGD", momentum=0.9, nesterov=True),
        "rmsprop_default": opt("RMSprop"),
        "rmsprop_rho0.8": opt("RMSprop", rho=0.8),
        "rmsprop_momentum0.5": opt("RMSprop", momentum=0.5),
        "rmsprop_centered": opt("RMSprop", centered=True),
        "adam_default": opt("Adam"),
        "adam_amsgrad": opt("Adam", amsgrad=True),
        "adam_custom": opt("Adam", beta_1=0.8, beta_2=0.99, epsilon=1e-5),
        # With the defaults, v only grows over 5 steps, so amsgrad=True gives
        # exactly the Adam trajectory; a fast beta_2 and a large step make
        # v shrink and max(v_hat, v) matter.  The twin without amsgrad shows
        # the difference.
        "adam_amsgrad_fast": opt("Adam", learning_rate=0.05, beta_2=0.5,
                                 amsgrad=True),
        "adam_fast": opt("Adam", learning_rate=0.05, beta_2=0.5),
        "sgd_lr0.1": opt("SGD", learning_rate=0.1),
        "adam_lr0.01": opt("Adam", learning_rate=0.01),
        # Keras 2 spellings (nbkeras accepts them; Keras 3 equivalent used)
        "k2_sgd_lr_decay": opt("SGD", lr=0.01, decay=0.1),
        "k2_sgd_tutorial": opt("SGD", lr=0.01, momentum=0.0, decay=0.0,
                               nesterov=False),
        "k2_sgd_nesterov_decay": opt("SGD", lr=0.05, momentum=0.9, decay=0.2,
                                     nesterov=True),
        "k2_adam_tutorial": opt("Adam", lr=0.001, beta_1=0.9, beta_2=0.999,
                                epsilon=None, decay=0.0, amsgrad=False),
        "k2_adam_decay": opt("Adam", lr=0.01, decay=0.05),
        "k2_rmsprop_tutorial": opt("RMSprop", lr=0.001, rho=0.9, epsilon=None,
                                   decay=0.0),
        "k2_rmsprop_decay": opt("RMSprop", lr=0.01, decay=0.1),
        "str_sgd": "sgd",
        "str_rmsprop": "rmsprop",
        "str_adam": "adam",
    }
    for name, o in optimizers.items():
        # same initial weights for every optimizer: differences between
        # these cases come from the optimizer alone
        run_case(keras, rec, f"opt_{name}", CAT_MODEL, o,
                 "categorical_crossentropy", d.x, d.y_cat, full, seed=1)

    # --- losses / metrics=['accuracy'] ---------------------------------
    acc = ["accuracy"]
    run_case(keras, rec, "acc_binary", BIN_MODEL, opt("Adam", learning_rate=0.01),
             "binary_crossentropy", d.x, d.y_bin, full, metrics=acc)
    run_case(keras, rec, "acc_categorical", CAT_MODEL, opt("RMSprop"),
             "categorical_crossentropy", d.x, d.y_cat, full, metrics=acc)
    run_case(keras, rec, "acc_sparse", CAT_MODEL, opt("SGD", learning_rate=0.1),
             "sparse_categorical_crossentropy", d.x, d.labels, full, metrics=acc)
    run_case(keras, rec, "loss_mse", REG_MODEL, opt("SGD", learning_rate=0.05),
             "mean_squared_error", d.x, d.y_reg, full)
    run_case(keras, rec, "metric_mse_regression_val", REG_MODEL,
             opt("SGD", learning_rate=0.05), "mean_squared_error", d.x, d.y_reg,
             dict(full, validation_data=[d.xv, d.xv[:, :1] * 0.5]),
             metrics=["mse"])
    run_case(keras, rec, "loss_mse_alias", REG_MODEL, "adam", "mse",
             d.x, d.y_reg, full)
    run_case(keras, rec, "loss_obj_cce_ls", CAT_MODEL, "adam",
             {"class": "CategoricalCrossentropy", "kwargs": {"label_smoothing": 0.1}},
             d.x, d.y_cat, full)
    run_case(keras, rec, "loss_obj_scce_logits", LOGIT_MODEL, "adam",
             {"class": "SparseCategoricalCrossentropy",
              "kwargs": {"from_logits": True}},
             d.x, d.labels, full, metrics=acc)
    run_case(keras, rec, "loss_fn_bce", BIN_MODEL, "rmsprop",
             {"function": "binary_crossentropy"}, d.x, d.y_bin, full)

    # --- several batches per epoch (12 = 5 + 5 + 2) ---------------------
    mb = {"batch_size": 5}
    run_case(keras, rec, "multibatch_sgd_momentum", CAT_MODEL,
             opt("SGD", learning_rate=0.05, momentum=0.9),
             "categorical_crossentropy", d.x, d.y_cat, mb)
    run_case(keras, rec, "multibatch_adam_acc", CAT_MODEL, opt("Adam"),
             "categorical_crossentropy", d.x, d.y_cat, mb, metrics=acc)
    run_case(keras, rec, "multibatch_rmsprop_binary", BIN_MODEL,
             opt("RMSprop"), "binary_crossentropy", d.x, d.y_bin,
             {"batch_size": 4}, metrics=acc)

    # --- sample_weight / class_weight -----------------------------------
    run_case(keras, rec, "sample_weight_binary", BIN_MODEL,
             opt("SGD", learning_rate=0.1), "binary_crossentropy", d.x, d.y_bin,
             dict(full, sample_weight=d.sw), metrics=acc)
    run_case(keras, rec, "sample_weight_multibatch_cat", CAT_MODEL,
             opt("Adam"), "categorical_crossentropy", d.x, d.y_cat,
             dict(mb, sample_weight=d.sw))
    cw3 = {0: 1.0, 1: 2.0, 2: 0.5}
    run_case(keras, rec, "class_weight_cat", CAT_MODEL,
             opt("SGD", learning_rate=0.1), "categorical_crossentropy",
             d.x, d.y_cat, dict(full, class_weight=cw3), metrics=acc)
    run_case(keras, rec, "class_weight_sparse_multibatch", CAT_MODEL,
             opt("Adam"), "sparse_categorical_crossentropy", d.x, d.labels,
             dict(mb, class_weight=cw3))
    run_case(keras, rec, "class_weight_binary", BIN_MODEL,
             opt("RMSprop"), "binary_crossentropy", d.x, d.y_bin,
             dict(full, class_weight={0: 1.0, 1: 3.0}))

    # --- validation -----------------------------------------------------
    run_case(keras, rec, "validation_data_2tuple", CAT_MODEL, opt("Adam"),
             "categorical_crossentropy", d.x, d.y_cat,
             dict(full, validation_data=[d.xv, d.yv_cat]), metrics=acc)
    run_case(keras, rec, "validation_data_3tuple", CAT_MODEL,
             opt("SGD", learning_rate=0.1), "categorical_crossentropy",
             d.x, d.y_cat, dict(full, validation_data=[d.xv, d.yv_cat, d.swv]))
    run_case(keras, rec, "validation_data_multibatch", CAT_MODEL,
             opt("RMSprop"), "sparse_categorical_crossentropy", d.x, d.labels,
             {"batch_size": 4, "validation_data": [d.xv, d.lv]}, metrics=acc)
    # validation_split=0.25 on 12 samples: Keras trains on the first 9,
    # validates on the LAST 3 (floor(12 * 0.75) = 9).
    run_case(keras, rec, "validation_split", CAT_MODEL, opt("Adam"),
             "categorical_crossentropy", d.x, d.y_cat,
             {"batch_size": 9, "validation_split": 0.25}, metrics=acc)
    run_case(keras, rec, "validation_split_multibatch", BIN_MODEL,
             opt("SGD", learning_rate=0.1), "binary_crossentropy", d.x, d.y_bin,
             {"batch_size": 4, "validation_split": 0.3}, metrics=acc)

    # --- BatchNormalization trained (moving stats in final weights) -----
    run_case(keras, rec, "batchnorm_fullbatch", BN_MODEL, opt("Adam"),
             "categorical_crossentropy", d.x, d.y_cat, full)
    run_case(keras, rec, "batchnorm_multibatch", BN_MODEL,
             opt("SGD", learning_rate=0.05, momentum=0.9),
             "categorical_crossentropy", d.x, d.y_cat, {"batch_size": 4},
             metrics=acc)

    # --- e) the tutorial model (seed/000), Dropout left out -------------
    # Default batch_size (32): 100 samples = 32 + 32 + 32 + 4 per epoch.
    # Its last Dense(1) is linear while the loss is binary_crossentropy on
    # probabilities: outputs outside [1e-7, 1 - 1e-7] are clipped, and the
    # clipped samples contribute zero gradient.  Small kernels and a 0.5
    # output bias keep most outputs inside (0, 1); the "saturated" case
    # starts with most outputs clipped.
    for cid, layers, o, scale in (
        ("tutorial_rmsprop", TUTORIAL_MODEL, "rmsprop", 0.1),
        ("tutorial_bn_rmsprop", TUTORIAL_BN_MODEL, "rmsprop", 0.1),
        ("tutorial_k2_sgd", TUTORIAL_MODEL,
         opt("SGD", lr=0.01, momentum=0.0, decay=0.0, nesterov=False), 0.1),
        ("tutorial_k2_adam", TUTORIAL_MODEL,
         opt("Adam", lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None,
             decay=0.0, amsgrad=False), 0.1),
        ("tutorial_rmsprop_saturated", TUTORIAL_MODEL, "rmsprop", 0.5),
    ):
        run_case(keras, rec, cid, layers, o, "binary_crossentropy",
                 d.xt, d.yt, {}, build="add", predict_x=d.xtp, seed=3,
                 kernel_scale=scale, last_bias=0.5)
    return rec.save()
