# Variants of the conformance cases whose inputs after the first are constants (initializers
# holding the test data), so the compiler sees scales, sizes, pads, axes, k... at compile time
# and takes the paths it reserves for known values (F.interpolate for Resize, literal slices,
# folded subgraphs). The original cases feed them as graph inputs, known only at run time.
import os
import shutil

import onnx

from conformance_cases import data_sets, numbered_files


def make_variant(case_dir, out_dir):
    """Writes the variant of one case to out_dir; False when it has fewer than two inputs."""
    model = onnx.load(os.path.join(case_dir, "model.onnx"), load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    inputs = [v for v in model.graph.input if v.name not in initializers]
    if len(inputs) < 2:
        return False
    data = data_sets(case_dir)[0]
    files = numbered_files(data, "input")
    if len(files) != len(inputs):
        return False
    for value, path in zip(inputs[1:], files[1:]):
        if not value.type.HasField("tensor_type"):  # a sequence or an optional: no constant
            return False
        tensor = onnx.TensorProto()
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
        tensor.name = value.name
        model.graph.initializer.append(tensor)
        model.graph.input.remove(value)
    # IR versions before 4 want every initializer declared as an input too (a default the
    # caller may override); from 4 on an initializer alone is a constant.
    model.ir_version = max(model.ir_version, 4)
    os.makedirs(os.path.join(out_dir, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(out_dir, "model.onnx"))
    shutil.copy(files[0], os.path.join(out_dir, "test_data_set_0", "input_0.pb"))
    for path in numbered_files(data, "output"):
        shutil.copy(path, os.path.join(out_dir, "test_data_set_0", os.path.basename(path)))
    return True


def make_variants(data_dir, cases, out_root):
    """The variants of `cases` (those with two or more inputs) under out_root; their names."""
    made = []
    for case in cases:
        target = os.path.join(out_root, case)
        shutil.rmtree(target, ignore_errors=True)
        if make_variant(os.path.join(data_dir, case), target):
            made.append(case)
    return made
