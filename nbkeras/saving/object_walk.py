"""The paths Keras gives each layer and optimizer inside a weights file.

Keras visits a model's state objects by attribute: `layers/<name>` for the
layers of a Sequential or Functional model (named after their class in snake
case, made unique: `dense`, `dense_1`, ...), `optimizer` for the optimizer, and
`<attribute>` for the sublayers of other layers. Each object is visited once,
at the first path that reaches it. `walk` reproduces that traversal so that
nbkeras reads and writes the same paths as Keras.
"""

from nbkeras.utils.registry import to_snake_case


def _is_saveable(obj):
    from nbkeras.layers.layer import Layer
    from nbkeras.optimizers.optimizer import Optimizer

    return isinstance(obj, (Layer, Optimizer))


_BASE_ATTRS = None


def _base_attrs():
    """Attributes every nbkeras layer or model has; they are not walked (as in Keras)."""
    global _BASE_ATTRS
    if _BASE_ATTRS is None:
        from nbkeras.layers.layer import Layer
        from nbkeras.models.model import Model

        names = set(vars(Layer(name="_walk_probe")))
        names |= set(vars(Model(name="_walk_probe_model")))
        names.discard("optimizer")
        _BASE_ATTRS = frozenset(names)
    return _BASE_ATTRS


def _attr_key(name):
    return f"~{name}" if name.startswith("_") else name


def children(obj):
    """Yield `(attribute name, child)` pairs in Keras's visiting order."""
    from nbkeras.models.functional import Functional
    from nbkeras.models.sequential import Sequential

    if isinstance(obj, (Sequential, Functional)):
        yield "layers", obj.layers
        if getattr(obj, "optimizer", None) is not None:
            yield "optimizer", obj.optimizer
        return
    from nbkeras.layers.layer import Layer

    if not isinstance(obj, Layer):
        return
    skip = _base_attrs()
    for name in sorted(vars(obj), key=_attr_key):
        if name.startswith("__") or name in skip:
            continue
        value = vars(obj)[name]
        if _is_saveable(value) or isinstance(value, (list, tuple, dict)):
            yield name, value


def _join(path, name):
    return f"{path}/{name}" if path else name


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def walk(obj, visit, path="", visited=None):
    """Call `visit(saveable, path)` for `obj` and every layer/optimizer it reaches.

    Args:
        obj: a model, layer or optimizer.
        visit: a function `(saveable, path)`; the model itself has path "".
        path: the path of `obj`.
        visited: ids of objects already visited (shared objects are visited once).

    Example:
        >>> walk(model, lambda o, p: print(p or "<root>", o.name))
    """
    visited = set() if visited is None else visited
    if id(obj) in visited:
        return
    visit(obj, path)
    visited.add(id(obj))
    for name, child in children(obj):
        if _is_saveable(child):
            walk(child, visit, _join(path, name), visited)
        else:
            _walk_container(child, visit, _join(path, name), visited, set())


def _walk_container(container, visit, path, visited, seen_containers):
    if id(container) in seen_containers:
        return
    seen_containers.add(id(container))
    used = {}
    items = list(container.values()) if isinstance(container, dict) else list(container)
    for item in items:
        if _is_saveable(item):
            walk(item, visit, _join(path, _unique(to_snake_case(type(item).__name__), used)),
                 visited)
        elif isinstance(item, (list, tuple, dict)):
            _walk_container(item, visit, _join(path, _unique("container", used)), visited,
                            seen_containers)
