"""A Functional model's config: its layers with their call nodes, as Keras 3 writes them.

Each layer entry is the layer's serialized dict plus `name` and
`inbound_nodes` (the calls of this model, each `{'args', 'kwargs'}` with
`__keras_tensor__` placeholders naming the producing layer, node and tensor).
`input_layers` / `output_layers` mirror the structure of the model's inputs and
outputs as `[layer name, node index, tensor index]` triples.
"""

import inspect



def _is_functional(layer):
    from nbkeras.models.functional import Functional

    return isinstance(layer, Functional)


def _map(structure, fn):
    if isinstance(structure, (list, tuple)):
        return [_map(s, fn) for s in structure]
    if isinstance(structure, dict):
        return {k: _map(v, fn) for k, v in structure.items()}
    return fn(structure)


def _default_call_kwargs(layer):
    """The keyword arguments Keras records for a call: `mask=None`, non-None `training`."""
    try:
        params = inspect.signature(type(layer).call).parameters
    except (TypeError, ValueError):
        return {}
    out = {}
    if "training" in params and params["training"].default not in (None, inspect.Parameter.empty):
        out["training"] = params["training"].default
    if "mask" in params and getattr(layer, "_records_mask", True):
        out["mask"] = None
    return out


def get_config(model):
    """Keras 3's config dict of a Functional model."""
    from nbkeras.layers.node import KerasTensor
    from nbkeras.saving.serialization import serialize_keras_object, serialize_layer

    own = {id(n) for n in model._nodes}

    def relevant_index(layer, index):
        return sum(1 for n in layer._inbound_nodes[:index] if id(n) in own)

    def tensor_config(t):
        layer, index, tensor_index = t._keras_history
        return {"class_name": "__keras_tensor__", "config": {
            "shape": list(t.shape), "dtype": t.dtype,
            "keras_history": [layer.name, relevant_index(layer, index), tensor_index]}}

    def value(v):
        return tensor_config(v) if isinstance(v, KerasTensor) else serialize_keras_object(v)

    layers = []
    for layer in model._layers:
        nodes = []
        for node in layer._inbound_nodes:
            if id(node) not in own or not node.input_tensors:
                continue
            kwargs = _default_call_kwargs(layer)
            kwargs.update(node.call_kwargs)
            nodes.append({"args": [_map(node.inputs_structure, value)] +
                                  [_map(a, value) for a in node.call_args],
                          "kwargs": {k: _map(v, value) for k, v in kwargs.items()}})
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = nodes
        layers.append(entry)

    def ref(t):
        layer, index, tensor_index = t._keras_history
        offset = 1 if _is_functional(layer) else 0  # Keras counts a model's own node first
        return [layer.name, relevant_index(layer, index) + offset, tensor_index]

    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": _map(model._inputs_struct, ref),
            "output_layers": _map(model._outputs_struct, ref)}


class _NotReady(Exception):
    """A node's input comes from a layer call that has not been recreated yet."""


def _deserialize_layer(entry):
    from nbkeras.saving.serialization import _deserialize

    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise ValueError(f"Each layer of a Functional config needs a 'name'. Received: {entry!r}")
    layer = _deserialize({k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")})
    from nbkeras.layers.layer import Layer

    if not isinstance(layer, Layer):
        raise ValueError(f"Functional config entry '{entry['name']}' is not a layer. "
                         f"Received: {type(layer).__name__}")
    return layer


def _tensor(created, name, node_index, tensor_index):
    if name not in created:
        raise ValueError(f"Invalid Functional config: unknown layer '{name}'. "
                         f"Received: {[name, node_index, tensor_index]}")
    nodes = created[name]._inbound_nodes
    if not isinstance(node_index, int) or node_index < 0:
        raise ValueError(f"Invalid node index for layer '{name}'. Received: {node_index!r}")
    if node_index >= len(nodes):
        raise _NotReady()
    outputs = nodes[node_index].output_tensors
    if not isinstance(tensor_index, int) or not 0 <= tensor_index < len(outputs):
        raise ValueError(f"Invalid tensor index for layer '{name}'. Received: {tensor_index!r}")
    return outputs[tensor_index]


def _node_call(node_data, created):
    """The (args, kwargs) of one saved call, with tensors looked up in `created`."""
    from nbkeras.saving.serialization import SerializedTensor, _deserialize

    if isinstance(node_data, list):  # Keras 2: [[layer, node, tensor, kwargs], ...]
        tensors, kwargs = [], {}
        for item in node_data:
            if not isinstance(item, list) or len(item) not in (3, 4):
                raise ValueError(f"Invalid Keras 2 node data. Received: {item!r}")
            tensors.append(_tensor(created, *item[:3]))
            kwargs = item[3] if len(item) == 4 else {}
        return [tensors[0] if len(tensors) == 1 else tensors], dict(kwargs or {})
    if not isinstance(node_data, dict):
        raise ValueError(f"Invalid node data. Received: {node_data!r}")

    def resolve(v):
        if isinstance(v, SerializedTensor):
            if not isinstance(v.history, list) or len(v.history) != 3:
                raise ValueError(f"Invalid keras_history. Received: {v.history!r}")
            return _tensor(created, *v.history)
        if isinstance(v, list):
            return [resolve(x) for x in v]
        if isinstance(v, dict):
            return {k: resolve(x) for k, x in v.items()}
        return v

    args = resolve(_deserialize(node_data.get("args", [])))
    kwargs = resolve(_deserialize(node_data.get("kwargs", {})))
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise ValueError(f"Invalid node data. Received: {node_data!r}")
    return args, kwargs


def from_config(cls, config):
    """Recreate a Functional model (layers, then their calls in dependency order)."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError("A Functional config needs a 'layers' list. "
                         f"Received: {str(config)[:200]}")
    created, pending, order = {}, {}, []
    for entry in config["layers"]:
        layer = _deserialize_layer(entry)
        if entry["name"] in created:
            raise ValueError("Duplicate layer name in Functional config. "
                             f"Received: {entry['name']}")
        created[entry["name"]] = layer
        nodes = entry.get("inbound_nodes", [])
        if not isinstance(nodes, list):
            raise ValueError(f"'inbound_nodes' must be a list. Received: {nodes!r}")
        pending[entry["name"]] = list(nodes)
        order.append(entry["name"])
    while any(pending.values()):
        progressed = False
        for name in order:
            queue = pending[name]
            while queue:
                try:
                    args, kwargs = _node_call(queue[0], created)
                except _NotReady:
                    break
                kwargs.pop("training", None)
                if kwargs.get("mask", 0) is None:
                    kwargs.pop("mask")
                created[name](*args, **kwargs)
                queue.pop(0)
                progressed = True
        if not progressed:
            raise ValueError("Invalid Functional model configuration: the graph has loops or "
                             "disconnected nodes. Received: unresolved layers "
                             f"{[n for n in order if pending[n]]}")

    def ref(item):
        if isinstance(item, list) and len(item) == 3 and isinstance(item[0], str):
            name, node_index, tensor_index = item
            if name in created and _is_functional(created[name]):
                node_index -= 1
            return _tensor(created, name, node_index, tensor_index)
        if isinstance(item, dict):
            return {k: ref(v) for k, v in item.items()}
        if isinstance(item, list):
            return [ref(v) for v in item]
        raise ValueError(f"Invalid input/output reference. Received: {item!r}")

    try:
        inputs = ref(config["input_layers"])
        outputs = ref(config["output_layers"])
    except _NotReady:
        raise ValueError("Invalid Functional model configuration: an input or output refers "
                         "to a layer call that does not exist.") from None
    return cls(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))


def keras_layer_order(flat_inputs, flat_outputs):
    """The layers of a graph in Keras's order: by decreasing depth, then first DFS visit.

    Args:
        flat_inputs: the model's input tensors.
        flat_outputs: the model's output tensors.

    Returns:
        The list of layers (input layers included), as Keras's `model.layers`.
    """
    input_ids = {id(t) for t in flat_inputs}
    nodes, index, finished = [], {}, set()

    def visit(tensor):
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        is_input = not node.input_tensors
        if not is_input and id(tensor) in input_ids:
            finished.add(id(node))
            return
        index.setdefault(id(layer), len(index))
        if not is_input:
            for t in node.input_tensors:
                visit(t)
        finished.add(id(node))
        nodes.append(node)

    for t in flat_outputs:
        visit(t)
    in_graph = {id(n) for n in nodes}
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in flat_inputs:
        layer = t._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], index[id(layer)], layers[id(layer)] = 0, -1, layer
    return sorted(layers.values(), key=lambda l: (-layer_depth[id(l)], index[id(l)]))


