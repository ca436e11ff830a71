#!/usr/bin/env python3
"""Writes the hostile-model corpus: one file per case of cases.tsv, each crafted to attack the
compiler (overflowing dims, lying sizes, nesting, recursion, external data, huge strings and
names, cycles, duplicates, unknown ops, wrong types, malformed protobuf bytes).

Usage: make_hostile_models.py OUT_DIR [CASES_TSV]

Every case of cases.tsv (read by hostile_cases.py) must have a builder here and every builder a
line there; the script fails otherwise, so the list and the corpus cannot drift apart. Runs under Debian's
/usr/bin/python3 (onnx, numpy).
"""
import os
import random
import sys

import onnx
from onnx import TensorProto, helper

FLOAT = TensorProto.FLOAT
INT64 = TensorProto.INT64
BOOL = TensorProto.BOOL

# Sizes the defaults of ir::ModelLimits refuse (core/ir/limits.h); kept in step with it.
MAX_TENSOR_RANK = 64
MAX_NODES = 100_000
MAX_NODE_INPUTS = 1024
MAX_NODE_OUTPUTS = 4096
MAX_GRAPH_DEPTH = 16
MAX_FUNCTION_DEPTH = 16
MAX_NAME_BYTES = 4096
MAX_STRING_BYTES = 64 << 10
MAX_ATTRIBUTE_BYTES = 64 << 20

# dims whose int64 product wraps: 3 * 6148914691236517206 = 2^64 + 2, so a wrapping count
# says 2 elements and 8 bytes of float data would "fit".
WRAP_TO_TWO = [3, 6148914691236517206]

# From inside the corpus folder these reach /etc/passwd (exists) and a file that does not.
UP = "../" * 24
PATH_EXISTS = UP + "etc/passwd"
PATH_MISSING = UP + "etc/ramiel-no-such-file"

CASES = {}


def case(builder):
    CASES[builder.__name__] = builder
    return builder


# --- building blocks -------------------------------------------------------------------------

def vi(name, shape, elem=FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def tensor(name, dims, raw=None, dtype=FLOAT):
    """A TensorProto with exactly the given dims and raw bytes, unchecked."""
    t = TensorProto()
    t.name = name
    t.data_type = dtype
    t.dims.extend(dims)
    if raw is not None:
        t.raw_data = raw
    return t


def unknown_dims(name, rank, elem=FLOAT):
    """A value of known rank whose dims shape inference is left to find."""
    return vi(name, [f"{name}_d{i}" for i in range(rank)], elem)


def external(t, location):
    """Marks `t` as stored in an external file at `location` (no data inside the model)."""
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    if location is not None:
        entry = t.external_data.add()
        entry.key, entry.value = "location", location
    return t


def ext_tensor(name="w", location=PATH_EXISTS, dims=(1, 4)):
    return external(tensor(name, list(dims)), location)


def graph(nodes, inputs=None, outputs=None, initializers=(), name="g", sparse=()):
    inputs = [vi("x", [1, 4])] if inputs is None else inputs
    outputs = [vi("y", [1, 4])] if outputs is None else outputs
    return helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers),
                             sparse_initializer=list(sparse))


def model(g, opset=13, functions=(), extra_opsets=(), ir_version=8):
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    m = helper.make_model(g, opset_imports=opsets, functions=list(functions))
    m.ir_version = ir_version
    return m.SerializeToString()


def relu_graph(**kw):
    return graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], **kw)


def add_weight(w, extra_nodes=(), opset=13):
    """y = x + w (w an initializer), after `extra_nodes`."""
    nodes = list(extra_nodes) + [helper.make_node("Add", ["x", w.name], ["y"], name="add")]
    return model(graph(nodes, initializers=[w]), opset=opset)


def const_node(t, out="c", name="const"):
    return helper.make_node("Constant", [], [out], name=name, value=t)


def branch(nodes, out, name):
    return helper.make_graph(nodes, name, [], [vi(out, [1, 4])])


def if_node(then_g, else_g, out="y", name="if"):
    return helper.make_node("If", ["cond"], [out], name=name, then_branch=then_g,
                            else_branch=else_g)


def if_model(then_g, else_g=None, **kw):
    else_g = else_g or branch([helper.make_node("Identity", ["x"], ["e"])], "e", "else")
    g = graph([if_node(then_g, else_g)], inputs=[vi("x", [1, 4]), vi("cond", [], BOOL)])
    return model(g, **kw)


def nested_ifs(depth):
    """If inside If ... `depth` levels of subgraphs below the main graph."""
    inner = branch([helper.make_node("Identity", ["x"], ["o0"])], "o0", "leaf")
    for level in range(1, depth + 1):
        out = f"o{level}"
        leaf = branch([helper.make_node("Identity", ["x"], [out])], out, "leaf")
        node = if_node(inner, leaf, out=out, name=f"if{level}")
        inner = branch([node], out, f"level{level}")
    g = graph(list(inner.node), inputs=[vi("x", [1, 4]), vi("cond", [], BOOL)],
              outputs=[vi(f"o{depth}", [1, 4])])
    return g


def loop_model(body_nodes, body_init=()):
    """y = Loop(trip 1, cond true) over `body_nodes`, whose output 'v' is the loop value."""
    body = helper.make_graph(
        body_nodes, "body",
        [vi("i", [], INT64), vi("c_in", [], BOOL), vi("v_in", [1, 4])],
        [vi("c_out", [], BOOL), vi("v", [1, 4])],
        initializer=list(body_init))
    body.node.insert(0, helper.make_node("Identity", ["c_in"], ["c_out"]))
    nodes = [
        const_node(helper.make_tensor("n", INT64, [], [1]), out="trip", name="trip"),
        const_node(helper.make_tensor("t", BOOL, [], [True]), out="go", name="go"),
        helper.make_node("Loop", ["trip", "go", "x"], ["y"], name="loop", body=body),
    ]
    return model(graph(nodes))


def local_function(name, body_nodes, domain="local"):
    return helper.make_function(domain, name, ["a"], ["b"], body_nodes,
                                [helper.make_opsetid("", 13), helper.make_opsetid(domain, 1)])


def call(fname, inp="x", out="y", domain="local", name=None):
    return helper.make_node(fname, [inp], [out], domain=domain, name=name or f"call_{fname}")


def function_model(functions, domain="local", domain_opset=True):
    g = graph([call(functions[0].name, domain=domain)])
    extra = [(domain, 1)] if domain_opset and domain else []
    return model(g, functions=functions, extra_opsets=extra)


def sparse(values, indices, dims):
    return helper.make_sparse_tensor(values, indices, dims)


# --- overflow --------------------------------------------------------------------------------

@case
def overflow_dims_then_slice():
    # The 188-byte SIGSEGV: dims wrap to 2 elements, 8 bytes of data, then a Slice.
    w = tensor("w", WRAP_TO_TWO, raw=b"\0" * 8)
    nodes = [
        const_node(helper.make_tensor("s", INT64, [1], [0]), out="starts", name="starts"),
        const_node(helper.make_tensor("e", INT64, [1], [1]), out="ends", name="ends"),
        helper.make_node("Slice", ["w", "starts", "ends"], ["y"], name="slice"),
    ]
    return model(graph(nodes, outputs=[unknown_dims("y", 2)], initializers=[w]))


@case
def overflow_dims_then_transpose():
    # The unbounded memory growth: the same dims folded through a Transpose.
    w = tensor("w", WRAP_TO_TWO, raw=b"\0" * 8)
    nodes = [helper.make_node("Transpose", ["w"], ["y"], name="transpose")]
    return model(graph(nodes, outputs=[unknown_dims("y", 2)], initializers=[w]))


@case
def overflow_dims_wrap_to_zero():
    w = tensor("w", [1 << 32, 1 << 32], raw=b"")
    return model(graph([helper.make_node("Identity", ["w"], ["y"])], outputs=[unknown_dims("y", 2)],
                       initializers=[w]))


@case
def overflow_int64_max_dims():
    w = tensor("w", [2**63 - 1, 2**63 - 1, 2**63 - 1], raw=b"\0" * 4)
    return add_weight(w)


@case
def overflow_in_constant_node():
    c = tensor("c", WRAP_TO_TWO, raw=b"\0" * 8)
    nodes = [const_node(c), helper.make_node("Transpose", ["c"], ["y"], name="transpose")]
    return model(graph(nodes, outputs=[unknown_dims("y", 2)]))


@case
def overflow_in_attribute_tensor():
    fill = tensor("fill", WRAP_TO_TWO, raw=b"\0" * 8)
    nodes = [
        const_node(helper.make_tensor("s", INT64, [2], [1, 4]), out="shape", name="shape"),
        helper.make_node("ConstantOfShape", ["shape"], ["y"], name="cos", value=fill),
    ]
    return model(graph(nodes))


@case
def overflow_in_subgraph_initializer():
    w = tensor("w", WRAP_TO_TWO, raw=b"\0" * 8)
    then_g = helper.make_graph([helper.make_node("Transpose", ["w"], ["t"])], "then", [],
                               [unknown_dims("t", 2)], initializer=[w])
    return if_model(then_g)


@case
def overflow_in_value_info():
    g = graph([helper.make_node("Relu", ["x"], ["y"], name="relu")],
              inputs=[vi("x", [1 << 30, 1 << 30, 1 << 30])], outputs=[unknown_dims("y", 3)])
    return model(g)


@case
def unsqueeze_to_rank_100k():
    # A valid model whose output has 100002 dims (crashed code generation with deep recursion).
    node = helper.make_node("Unsqueeze", ["x"], ["y"], name="unsqueeze", axes=list(range(100000)))
    return model(graph([node], outputs=[unknown_dims("y", 100002)]), opset=11)


@case
def initializer_rank_over_limit():
    return add_weight(tensor("w", [1] * (MAX_TENSOR_RANK + 1), raw=b"\0" * 4))


@case
def tensor_over_element_limit():
    # 2^40 elements without overflow, above max_tensor_elements (2^34); 4 bytes of data.
    w = tensor("w", [1 << 20, 1 << 20], raw=b"\0" * 4)
    return model(graph([helper.make_node("Identity", ["w"], ["y"])], outputs=[unknown_dims("y", 2)],
                       initializers=[w]))


@case
def expand_to_huge_shape():
    nodes = [
        const_node(helper.make_tensor("s", INT64, [3], [1 << 20, 1 << 20, 4]), out="shape",
                   name="shape"),
        helper.make_node("Expand", ["x", "shape"], ["y"], name="expand"),
    ]
    return model(graph(nodes, outputs=[unknown_dims("y", 3)]))


@case
def constant_of_shape_huge():
    nodes = [
        const_node(helper.make_tensor("s", INT64, [2], [1 << 30, 1 << 30]), out="shape",
                   name="shape"),
        helper.make_node("ConstantOfShape", ["shape"], ["y"], name="cos"),
    ]
    return model(graph(nodes, outputs=[unknown_dims("y", 2)]))


@case
def tile_to_huge_shape():
    nodes = [
        const_node(helper.make_tensor("r", INT64, [2], [1 << 40, 1 << 40]), out="reps",
                   name="reps"),
        helper.make_node("Tile", ["x", "reps"], ["y"], name="tile"),
    ]
    return model(graph(nodes, outputs=[unknown_dims("y", 2)]))


@case
def reshape_overflowing_shape():
    nodes = [
        const_node(helper.make_tensor("s", INT64, [3], [1 << 62, 1 << 62, 4]), out="shape",
                   name="shape"),
        helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape"),
    ]
    return model(graph(nodes, outputs=[unknown_dims("y", 3)]))


# --- lying sizes ---------------------------------------------------------------------------

@case
def raw_data_short_1000x1000():
    return add_weight(tensor("w", [1000, 1000], raw=b"\0" * 16))


@case
def raw_data_short_1e9_elements():
    return add_weight(tensor("w", [1000, 1000, 1000], raw=b"\0" * 4))


@case
def raw_data_long():
    return add_weight(tensor("w", [1, 4], raw=b"\0" * 100))


@case
def raw_data_stripped_mismatch():
    # Over 64 KiB, so the importer cuts the payload out before parsing; its size still counts.
    return add_weight(tensor("w", [1000, 1000], raw=b"\0" * 70000))


@case
def float_data_count_short():
    w = tensor("w", [1000, 4])
    w.float_data.extend([1.0, 2.0, 3.0])
    return add_weight(w)


@case
def int64_data_count_long():
    shape = tensor("s", [2], dtype=INT64)
    shape.int64_data.extend([1, 4, 5, 6, 7])
    nodes = [const_node(shape, out="shape", name="shape"),
             helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")]
    return model(graph(nodes))


@case
def string_data_count_mismatch():
    s = tensor("s", [3], dtype=TensorProto.STRING)
    s.string_data.append(b"a")
    nodes = [const_node(s, out="s"), helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(graph(nodes))


@case
def raw_data_lies_in_constant_node():
    nodes = [const_node(tensor("c", [1000, 1000], raw=b"\0" * 16)),
             helper.make_node("Add", ["x", "c"], ["y"], name="add")]
    return model(graph(nodes))


@case
def raw_data_lies_in_subgraph():
    w = tensor("w", [1000, 1000], raw=b"\0" * 16)
    then_g = helper.make_graph([helper.make_node("Identity", ["w"], ["t"])], "then", [],
                               [unknown_dims("t", 2)], initializer=[w])
    return if_model(then_g)


@case
def tensor_without_data():
    return add_weight(tensor("w", [1, 4]))


@case
def tensor_unknown_dtype():
    return add_weight(tensor("w", [1, 4], raw=b"\0" * 16, dtype=99))


@case
def tensor_negative_dim():
    return add_weight(tensor("w", [-4, 1], raw=b"\0" * 16))


@case
def attribute_tensor_negative_dim():
    fill = tensor("fill", [-1], raw=b"")
    nodes = [
        const_node(helper.make_tensor("s", INT64, [2], [1, 4]), out="shape", name="shape"),
        helper.make_node("ConstantOfShape", ["shape"], ["y"], name="cos", value=fill),
    ]
    return model(graph(nodes))


# --- nesting and recursion -----------------------------------------------------------------

@case
def if_nested_past_depth_limit():
    return model(nested_ifs(MAX_GRAPH_DEPTH + 4))


@case
def loop_nested_past_depth_limit():
    inner_nodes = [helper.make_node("Identity", ["v_in"], ["v"])]
    body = None
    for level in range(MAX_GRAPH_DEPTH + 2):
        body = helper.make_graph(
            [helper.make_node("Identity", ["c_in"], ["c_out"])] + inner_nodes, f"body{level}",
            [vi("i", [], INT64), vi("c_in", [], BOOL), vi("v_in", [1, 4])],
            [vi("c_out", [], BOOL), vi("v", [1, 4])])
        inner_nodes = [helper.make_node("Loop", ["", "c_in", "v_in"], ["v"], body=body)]
    nodes = [const_node(helper.make_tensor("t", BOOL, [], [True]), out="go", name="go"),
             helper.make_node("Loop", ["", "go", "x"], ["y"], name="loop", body=body)]
    return model(graph(nodes))


@case
def subgraphs_past_protobuf_nesting():
    # Deeper than protobuf's own recursion limit (100 messages): the bytes cannot be parsed.
    return model(nested_ifs(40))


@case
def function_calls_itself():
    f = local_function("f", [call("f", "a", "b")])
    return function_model([f])


@case
def functions_call_each_other():
    f = local_function("f", [call("g", "a", "b")])
    g = local_function("g", [call("f", "a", "b")])
    return function_model([f, g])


@case
def function_recursion_in_default_domain():
    # A function named like no ai.onnx op, declared in the default domain, calling itself.
    f = local_function("SelfCaller", [call("SelfCaller", "a", "b", domain="")], domain="")
    return function_model([f], domain="")


@case
def function_recursion_through_subgraph():
    then_g = branch([call("f", "a", "t")], "t", "then")
    else_g = branch([helper.make_node("Identity", ["a"], ["e"])], "e", "else")
    body = [const_node(helper.make_tensor("t", BOOL, [], [True]), out="cond", name="cond"),
            if_node(then_g, else_g, out="b")]
    f = local_function("f", body)
    return function_model([f])


@case
def function_chain_past_depth_limit():
    n = MAX_FUNCTION_DEPTH + 4
    functions = [local_function(f"f{i}", [call(f"f{i + 1}", "a", "b")]) for i in range(n)]
    functions.append(local_function(f"f{n}", [helper.make_node("Relu", ["a"], ["b"])]))
    return function_model(functions)


# --- external data everywhere --------------------------------------------------------------

@case
def external_initializer_existing_path():
    return add_weight(ext_tensor(location=PATH_EXISTS))


@case
def external_initializer_missing_path():
    return add_weight(ext_tensor(location=PATH_MISSING))


@case
def external_initializer_absolute_path():
    return add_weight(ext_tensor(location="/etc/passwd"))


@case
def external_initializer_no_location():
    return add_weight(ext_tensor(location=None))


@case
def external_constant_value():
    nodes = [const_node(ext_tensor("c")), helper.make_node("Add", ["x", "c"], ["y"], name="add")]
    return model(graph(nodes))


@case
def external_attribute_tensor():
    fill = external(tensor("fill", [1]), PATH_EXISTS)
    nodes = [
        const_node(helper.make_tensor("s", INT64, [2], [1, 4]), out="shape", name="shape"),
        helper.make_node("ConstantOfShape", ["shape"], ["y"], name="cos", value=fill),
    ]
    return model(graph(nodes))


@case
def external_tensors_attribute():
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    node.attribute.append(helper.make_attribute("extra", [ext_tensor("a"), ext_tensor("b")]))
    return model(graph([node]))


@case
def external_sparse_initializer_values():
    values = ext_tensor("sv", dims=(2,))
    indices = helper.make_tensor("si", INT64, [2], [0, 3])
    g = relu_graph(sparse=[sparse(values, indices, [1, 4])])
    return model(g)


@case
def external_sparse_initializer_indices():
    values = helper.make_tensor("sv", FLOAT, [2], [1.0, 2.0])
    indices = external(tensor("si", [2], dtype=INT64), PATH_MISSING)
    g = relu_graph(sparse=[sparse(values, indices, [1, 4])])
    return model(g)


@case
def external_sparse_constant():
    values = ext_tensor("sv", dims=(2,))
    indices = helper.make_tensor("si", INT64, [2], [0, 3])
    nodes = [helper.make_node("Constant", [], ["c"], name="const",
                              sparse_value=sparse(values, indices, [1, 4])),
             helper.make_node("Add", ["x", "c"], ["y"], name="add")]
    return model(graph(nodes))


@case
def external_sparse_tensors_attribute():
    values = ext_tensor("sv", dims=(2,))
    indices = helper.make_tensor("si", INT64, [2], [0, 3])
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    attr = node.attribute.add()
    attr.name, attr.type = "extra", onnx.AttributeProto.SPARSE_TENSORS
    attr.sparse_tensors.append(sparse(values, indices, [1, 4]))
    return model(graph([node]))


@case
def external_in_if_branch_initializer():
    then_g = helper.make_graph([helper.make_node("Identity", ["w"], ["t"])], "then", [],
                               [vi("t", [1, 4])], initializer=[ext_tensor(location=PATH_EXISTS)])
    return if_model(then_g)


@case
def external_in_if_branch_missing_path():
    then_g = helper.make_graph([helper.make_node("Identity", ["w"], ["t"])], "then", [],
                               [vi("t", [1, 4])], initializer=[ext_tensor(location=PATH_MISSING)])
    return if_model(then_g)


@case
def external_in_nested_if_constant():
    inner = branch([const_node(ext_tensor("c"), out="t2")], "t2", "inner")
    other = branch([helper.make_node("Identity", ["x"], ["t2"])], "t2", "other")
    then_g = branch([if_node(inner, other, out="t", name="inner_if")], "t", "then")
    return if_model(then_g)


@case
def external_in_loop_body():
    return loop_model([const_node(ext_tensor("c"), out="k"),
                       helper.make_node("Add", ["v_in", "k"], ["v"])])


@case
def external_in_scan_body():
    body = helper.make_graph(
        [helper.make_node("Add", ["s_in", "w"], ["s_out"]),
         helper.make_node("Identity", ["s_out"], ["e"])],
        "scan_body", [vi("s_in", [4]), vi("elem", [4])], [vi("s_out", [4]), vi("e", [4])],
        initializer=[ext_tensor(dims=(4,))])
    node = helper.make_node("Scan", ["s0", "xs"], ["s", "y"], name="scan", body=body,
                            num_scan_inputs=1)
    g = graph([node], inputs=[vi("s0", [4]), vi("xs", [3, 4])],
              outputs=[vi("s", [4]), vi("y", [3, 4])])
    return model(g)


@case
def external_in_graphs_attribute():
    sub = helper.make_graph([helper.make_node("Identity", ["w"], ["t"])], "sub", [],
                            [vi("t", [1, 4])], initializer=[ext_tensor()])
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    node.attribute.append(helper.make_attribute("extra", [sub, sub]))
    return model(graph([node]))


@case
def external_in_function_body():
    f = local_function("f", [const_node(ext_tensor("c"), out="k"),
                             helper.make_node("Add", ["a", "k"], ["b"])])
    return function_model([f])


@case
def external_before_opset_upgrade():
    # Opset 6 would go through ONNX's version converter: external data must be refused first.
    return add_weight(ext_tensor(location=PATH_EXISTS), opset=6)


# --- huge attributes and names ---------------------------------------------------------------

@case
def string_attribute_50_mib():
    # The 52-million-character error.
    node = helper.make_node("Relu", ["x"], ["y"], name="relu", evil="A" * (50 << 20))
    return model(graph([node]))


@case
def string_attribute_over_limit():
    node = helper.make_node("Relu", ["x"], ["y"], name="relu", evil="B" * (MAX_STRING_BYTES + 1))
    return model(graph([node]))


@case
def ints_attribute_over_limit():
    n = MAX_ATTRIBUTE_BYTES // 8 + 1
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    attr = node.attribute.add()
    attr.name, attr.type = "evil", onnx.AttributeProto.INTS
    attr.ints.extend([0] * n)
    return model(graph([node]))


@case
def strings_attribute_over_limit():
    # Each string is within max_string_bytes; together they are over max_attribute_bytes.
    piece = b"C" * MAX_STRING_BYTES
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    attr = node.attribute.add()
    attr.name, attr.type = "evil", onnx.AttributeProto.STRINGS
    attr.strings.extend([piece] * (MAX_ATTRIBUTE_BYTES // MAX_STRING_BYTES + 1))
    return model(graph([node]))


@case
def string_tensor_element_over_limit():
    s = helper.make_tensor("s", TensorProto.STRING, [1], [b"D" * (MAX_STRING_BYTES + 1)])
    nodes = [const_node(s, out="s"), helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(graph(nodes))


def long_name():
    return "n" * (MAX_NAME_BYTES + 1)


@case
def long_node_name():
    return model(graph([helper.make_node("Relu", ["x"], ["y"], name=long_name())]))


@case
def long_value_name():
    big = long_name()
    return model(graph([helper.make_node("Relu", [big], ["y"], name="relu")],
                       inputs=[vi(big, [1, 4])]))


@case
def long_op_type():
    return model(graph([helper.make_node("R" * (1 << 20), ["x"], ["y"], name="relu")]))


@case
def long_attribute_name():
    return model(graph([helper.make_node("Relu", ["x"], ["y"], name="relu",
                                         **{long_name(): 1})]))


@case
def long_initializer_name():
    w = helper.make_tensor(long_name(), FLOAT, [1, 4], [1.0] * 4)
    return model(graph([helper.make_node("Add", ["x", w.name], ["y"], name="add")],
                       initializers=[w]))


@case
def long_domain_name():
    node = helper.make_node("Relu", ["x"], ["y"], name="relu", domain="d" * (1 << 20))
    return model(graph([node]))


@case
def invalid_utf8_in_names():
    # Error messages echo names; they must still be valid UTF-8 (protobuf, JSON logs).
    node = helper.make_node("NoSuchOpZZ", ["x"], ["y"], name="bad-name-marker")
    data = model(graph([node]))
    bad = b"bad\xff\xfe\xc3nam\x1b[31m!"  # as long as the marker, so the framing holds
    assert len(bad) == len(b"bad-name-marker")
    return data.replace(b"bad-name-marker", bad)


# --- counts ----------------------------------------------------------------------------------

@case
def nodes_over_limit():
    node = helper.make_node("Identity", ["x"], ["y"])
    g = graph([])
    g.node.extend([node] * (MAX_NODES + 1))
    return model(g)


@case
def node_inputs_over_limit():
    node = helper.make_node("Sum", ["x"] * (MAX_NODE_INPUTS + 1), ["y"], name="sum")
    return model(graph([node]))


@case
def max_of_many_inputs_over_limit():
    # Max of 4096 inputs took minutes and a gigabyte in code generation before the limit.
    node = helper.make_node("Max", ["x"] * 4096, ["y"], name="max")
    return model(graph([node]))


@case
def node_outputs_over_limit():
    outs = [f"o{i}" for i in range(MAX_NODE_OUTPUTS + 1)]
    node = helper.make_node("Split", ["x"], outs, name="split", axis=1)
    return model(graph([node], outputs=[vi("o0", None)]))


# --- cycles, duplicates, empty ---------------------------------------------------------------

@case
def cycle_of_two_nodes():
    nodes = [helper.make_node("Relu", ["b"], ["a"], name="n1"),
             helper.make_node("Relu", ["a"], ["b"], name="n2"),
             helper.make_node("Add", ["x", "a"], ["y"], name="add")]
    return model(graph(nodes))


@case
def node_reads_its_own_output():
    nodes = [helper.make_node("Add", ["x", "y"], ["y"], name="self")]
    return model(graph(nodes))


@case
def duplicate_node_outputs():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="a"),
             helper.make_node("Sigmoid", ["x"], ["y"], name="b")]
    return model(graph(nodes))


@case
def duplicate_initializers():
    w1 = helper.make_tensor("w", FLOAT, [1, 4], [1.0] * 4)
    w2 = helper.make_tensor("w", FLOAT, [1, 4], [2.0] * 4)
    return model(graph([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                       initializers=[w1, w2]))


@case
def duplicate_graph_inputs():
    return model(relu_graph(inputs=[vi("x", [1, 4]), vi("x", [1, 4])]))


@case
def output_never_produced():
    return model(relu_graph(outputs=[vi("nowhere", [1, 4])]))


@case
def graph_without_outputs():
    return model(graph([], outputs=[]))


@case
def model_without_graph():
    m = onnx.ModelProto()
    m.ir_version = 8
    m.opset_import.append(helper.make_opsetid("", 13))
    return m.SerializeToString()


@case
def empty_file():
    return b""


# --- unknown ops, domains, opsets, wrong types -----------------------------------------------

@case
def unknown_operator():
    return model(graph([helper.make_node("NoSuchOp", ["x"], ["y"], name="mystery")]))


@case
def unknown_operator_long_names():
    # Names within max_name_bytes, yet the ONNX checker quotes them several times: its message
    # is longer than 4 KiB and must come back cut.
    node = helper.make_node("R" * MAX_NAME_BYTES, ["x"], ["y"], name="n" * MAX_NAME_BYTES)
    return model(graph([node]))


@case
def unknown_domain():
    node = helper.make_node("Relu", ["x"], ["y"], name="relu", domain="evil.example")
    return model(graph([node]), extra_opsets=[("evil.example", 1)])


@case
def opset_from_the_future():
    return model(relu_graph(), opset=99)


@case
def no_default_opset():
    m = helper.make_model(relu_graph(), opset_imports=[helper.make_opsetid("other", 1)])
    return m.SerializeToString()


@case
def old_opset_reads_undefined_value():
    # Opset 6 goes through ONNX's version converter, which must not meet a dangling input.
    return model(graph([helper.make_node("Relu", ["nothing"], ["y"], name="relu")]), opset=6)


@case
def old_opset_unknown_operator():
    return model(graph([helper.make_node("NoSuchOp", ["x"], ["y"], name="mystery")]), opset=1)


@case
def old_opset_cycle():
    nodes = [helper.make_node("Relu", ["b"], ["a"], name="n1"),
             helper.make_node("Relu", ["a"], ["b"], name="n2"),
             helper.make_node("Add", ["x", "a"], ["y"], name="add")]
    return model(graph(nodes), opset=5)


@case
def mismatched_input_types():
    g = graph([helper.make_node("Add", ["x", "k"], ["y"], name="add")],
              inputs=[vi("x", [1, 4]), vi("k", [1, 4], INT64)])
    return model(g)


@case
def map_typed_input():
    # Sequences and optionals are lists and None in the program; maps are not supported.
    map_type = onnx.TypeProto()
    map_type.map_type.key_type = INT64
    map_type.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(FLOAT, [1, 4]))
    g = graph([helper.make_node("Relu", ["x"], ["y"], name="relu")],
              inputs=[vi("x", [1, 4]), helper.make_value_info("m", map_type)])
    return model(g)


@case
def attribute_of_wrong_type():
    node = helper.make_node("Softmax", ["x"], ["y"], name="softmax", axis="one")
    return model(graph([node]))


@case
def attribute_without_type():
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    attr = node.attribute.add()
    attr.name = "typeless"
    return model(graph([node]))


# --- malformed bytes -------------------------------------------------------------------------

@case
def random_bytes():
    return random.Random(10).randbytes(4096)


@case
def truncated_model():
    whole = add_weight(helper.make_tensor("w", FLOAT, [64, 4], [0.5] * 256))
    return whole[: len(whole) // 2]


@case
def endless_varint():
    return b"\xff" * 64


@case
def length_past_the_end():
    # Field 7 (graph), length-delimited, claiming 2^31 bytes.
    return b"\x08\x08\x3a\x80\x80\x80\x80\x08" + b"\0" * 16


@case
def graph_field_of_wrong_wire_type():
    return b"\x08\x08\x38\x01"  # ir_version 8, then field 7 (graph) as a varint


@case
def group_wire_type():
    return b"\x08\x08\x3b\x3c"  # field 7 as a start-group / end-group pair


def write_corpus(out_dir, names):
    """Writes one `<name>.onnx` per listed case into `out_dir`."""
    missing = sorted(set(names) - set(CASES))
    unlisted = sorted(set(CASES) - set(names))
    if missing or unlisted:
        raise SystemExit(f"cases.tsv and make_hostile_models.py disagree: no builder for {missing}, "
                         f"not listed: {unlisted}")
    os.makedirs(out_dir, exist_ok=True)
    for name in names:
        with open(os.path.join(out_dir, name + ".onnx"), "wb") as f:
            f.write(CASES[name]())


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    import hostile_cases
    names = [c.name for c in hostile_cases.read_cases(argv[2] if len(argv) > 2 else None)]
    write_corpus(argv[1], names)
    print(f"wrote {len(names)} hostile models to {argv[1]}")


if __name__ == "__main__":
    main(sys.argv)
