"""`Functional`: a model defined by a graph of layer calls, `Model(inputs, outputs)`."""

from nbkeras.layers.core.input_layer import InputLayer
from nbkeras.layers.input_spec import adjust_input_rank, adjusted_shape
from nbkeras.layers.layer import _flatten
from nbkeras.layers.node import KerasTensor
from nbkeras.models import functional_config
from nbkeras.models.model import Model
from nbkeras.trainers import data_validation
from nbkeras.utils import naming


def _structure_map(structure, fn):
    if isinstance(structure, (list, tuple)):
        return type(structure)(_structure_map(s, fn) for s in structure)
    if isinstance(structure, dict):
        return {k: _structure_map(v, fn) for k, v in structure.items()}
    return fn(structure)


class Functional(Model):
    """A model built by calling layers on symbolic inputs.

    Created by `Model(inputs, outputs)`. Inputs and outputs may be single tensors,
    lists or dicts. Layers can be shared, and models nest as layers.

    Args:
        inputs: the `Input(...)` tensor(s).
        outputs: the output tensor(s) computed from them.
        name: the model's name (`functional`, `functional_1`, ...).

    Example:
        >>> inputs = nbkeras.Input(shape=(20,))
        >>> x = nbkeras.layers.Dense(16, activation="relu")(inputs)
        >>> outputs = nbkeras.layers.Dense(1, activation="sigmoid")(x)
        >>> model = nbkeras.Model(inputs, outputs)
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model._init_base(self, name=name or naming.uniquify("functional"), trainable=trainable, **kwargs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._flat_inputs = _flatten(inputs)
        self._flat_outputs = _flatten(outputs)
        for t in self._flat_inputs + self._flat_outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(
                    "All `inputs` and `outputs` of a functional model must be symbolic tensors "
                    f"(from `nbkeras.Input` and layer calls). Received: {t!r}"
                )
        for t in self._flat_inputs:
            if not isinstance(t._keras_history[0], InputLayer):
                raise ValueError(
                    "Every model input must come from `nbkeras.Input(...)`. "
                    f"Received: a tensor made by layer '{t._keras_history[0].name}'"
                )
        self._nodes = self._trace()
        # Keras's order (by depth, then first visit): it names the weights in saved files.
        self.__dict__["_layers"] = functional_config.keras_layer_order(
            self._flat_inputs, self._flat_outputs)
        self.built = True

    def _trace(self):
        """Nodes from the inputs to the outputs, in execution order; checks connectivity."""
        known = {id(t) for t in self._flat_inputs}
        order, seen, visiting = [], set(), set()

        def visit(tensor):
            layer, node_index, _ = tensor._keras_history
            node = layer._inbound_nodes[node_index]
            if id(node) in seen:
                return
            if isinstance(layer, InputLayer) and id(tensor) not in known:
                reached = [n.layer.name for n in order]
                raise ValueError(
                    f"Graph disconnected: cannot find parent for tensor {tensor!r} at layer "
                    f"'{layer.name}'. The model's inputs do not include it; add it to `inputs`. "
                    f"The following previous layers were accessed without issue: {reached}. "
                    f"Received: inputs={[t.name for t in self._flat_inputs]}"
                )
            if id(node) in visiting:
                raise ValueError(f"The graph has a cycle at layer '{layer.name}'.")
            visiting.add(id(node))
            for t in node.input_tensors:
                visit(t)
            visiting.discard(id(node))
            seen.add(id(node))
            order.append(node)

        for t in self._flat_inputs:
            visit(t)
        for t in self._flat_outputs:
            visit(t)
        return order

    @property
    def layers(self):
        """Every layer of the graph, input layers included, in execution order (op nodes
        such as `x + y` are not layers and are left out, as in Keras)."""
        return [l for l in self._layers if not getattr(l, "_is_operation", False)]

    @property
    def inputs(self):
        return list(self._flat_inputs)

    @property
    def outputs(self):
        return list(self._flat_outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        """The inputs' shapes (None for the batch axis): one tuple, or a list of them."""
        shapes = [tuple(t.shape) for t in self._flat_inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        """The outputs' shapes (None for the batch axis): one tuple, or a list of them."""
        shapes = [tuple(t.shape) for t in self._flat_outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input_names(self):
        return [t._keras_history[0].name for t in self._flat_inputs]

    @property
    def output_names(self):
        if isinstance(self._outputs_struct, dict):
            return list(self._outputs_struct)
        return [t._keras_history[0].name for t in self._flat_outputs]

    def _standardize_inputs(self, inputs):
        if isinstance(self._inputs_struct, dict):
            if not isinstance(inputs, dict):
                raise ValueError(
                    f"Model '{self.name}' expects a dict of inputs with keys "
                    f"{list(self._inputs_struct)}. Received: inputs of type {type(inputs).__name__}"
                )
            if any(k not in inputs for k in self._inputs_struct):
                data_validation.check_inputs(self, inputs, "inputs")
            return [inputs[k] for k in self._inputs_struct]
        flat = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if isinstance(inputs, dict):
            names = self.input_names
            if any(k not in inputs for k in names):
                data_validation.check_inputs(self, inputs, "inputs")
            flat = [inputs[n] for n in names]
        if len(flat) != len(self._flat_inputs):
            raise ValueError(
                f"Model '{self.name}' expects {len(self._flat_inputs)} input(s), but it received "
                f"{len(flat)} input tensors. Received: inputs of length {len(flat)}"
            )
        return list(flat)

    def call(self, inputs, training=None, mask=None):
        values = {}
        for t, v in zip(self._flat_inputs, self._standardize_inputs(inputs)):
            values[id(t)] = adjust_input_rank(v, t.shape)
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            # Op nodes may hold constants among their inputs (`x * 0.5`).
            args = _structure_map(node.inputs_structure, lambda t: values.get(id(t), t))
            call_args, call_kwargs = node.call_args, node.call_kwargs
            if node.tensor_arguments:
                def value(v):
                    return values[id(v)] if isinstance(v, KerasTensor) else v
                call_args = _structure_map(tuple(call_args), value)
                call_kwargs = _structure_map(dict(call_kwargs), value)
            out = node.layer(args, *call_args, training=training, **call_kwargs)
            for t, v in zip(node.output_tensors, _flatten(out)):
                values[id(t)] = v
        return _structure_map(self._outputs_struct, lambda t: values[id(t)])

    def compute_output_spec(self, inputs, *args, **kwargs):
        spec = _structure_map(self._outputs_struct, lambda t: KerasTensor(t.shape, t.dtype))
        return spec

    def build(self, input_shape=None):
        self.built = True

    def _check_data_shape(self, shape, argument="input"):
        first = self._flat_inputs[0].shape
        from nbkeras.layers.input_spec import InputSpec, assert_input_compatibility

        assert_input_compatibility(InputSpec(shape=first), adjusted_shape(shape, first), self.name,
                                   argument=argument)

    # ----------------------------------------------------------- summary
    def _summary_has_connections(self):
        depth = self._node_depths()
        by_depth = {}
        for node, d in depth.items():
            by_depth.setdefault(d, []).append(node)
        for nodes in by_depth.values():
            if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
                return True
        ids = {id(n) for n in self._nodes}
        for layer in self._layers:
            if sum(id(n) in ids for n in layer._inbound_nodes) > 1:
                return True
        return False

    def _node_depths(self):
        depth = {}
        for node in reversed(self._nodes):
            depth.setdefault(node, 0)
            for t in node.input_tensors:
                layer, index, _ = t._keras_history
                parent = layer._inbound_nodes[index]
                depth[parent] = max(depth.get(parent, 0), depth[node] + 1)
        return depth

    def _summary_rows(self):
        ids = {id(n) for n in self._nodes}
        rows = []
        for layer in self._layers:
            nodes = [n for n in layer._inbound_nodes if id(n) in ids]
            shape = _shape(nodes[0].output_tensors)  # Keras shows a shared layer's first call
            conns = []
            for n in nodes:
                for t in n.input_tensors:
                    src, ni, ti = t._keras_history
                    conns.append(f"{src.name}[{ni}][{ti}]")
            rows.append((layer, shape, ", ".join(conns) or "-"))
        return rows

    def get_config(self):
        """Keras 3's config: the layers with their call nodes, inputs and outputs."""
        return functional_config.get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreate the model from `get_config()`'s dict (Keras 3's or Keras 2's form)."""
        from nbkeras.saving.registration import custom_object_scope

        with custom_object_scope(custom_objects):
            return functional_config.from_config(cls, config)


def _shape(tensors):
    return tuple(tensors[0].shape) if len(tensors) == 1 else [tuple(t.shape) for t in tensors]

