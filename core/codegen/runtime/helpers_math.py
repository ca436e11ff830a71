# Helpers of the math ops (emitters/math.cc) that are more than one torch call. The marker
# lines work as in helpers.py.

# @helper onnx_cumsum
def onnx_cumsum(x, axis, exclusive=0, reverse=0):
    """ONNX CumSum: running sums along `axis`, optionally from the end and excluding each
    element itself (a shifted sum, not a subtraction, so floats round as ONNX's do)."""
    axis = int(axis)
    if reverse:
        x = x.flip(axis)
    y = torch.cumsum(x, axis, dtype=x.dtype)
    if exclusive:
        first = torch.zeros_like(x.narrow(axis, 0, 1))
        y = torch.cat([first, y.narrow(axis, 0, x.shape[axis] - 1)], dim=axis)
    return y.flip(axis) if reverse else y

# @helper onnx_hardmax
def onnx_hardmax(x, axis, coerce_2d=False):
    """ONNX Hardmax: 1 at the first maximum along `axis`, 0 elsewhere. Before opset 13 the
    input is seen as 2-D: the dimensions from `axis` on form one row."""
    if coerce_2d:
        return onnx_hardmax(x.flatten(axis), -1).reshape(x.shape)
    axis = axis + x.dim() if axis < 0 else axis
    hot = F.one_hot(torch.argmax(x, dim=axis), x.shape[axis])
    return hot.movedim(-1, axis).to(x.dtype)

# @helper onnx_dropout
def onnx_dropout(x, ratio=0.5, training=False, seed=None):
    """ONNX Dropout whose training_mode is read at run time: (x, all-true mask) in inference;
    in training, each element kept with probability 1 - ratio and scaled by 1 / (1 - ratio).
    A seed makes the mask the same on every run."""
    ratio = float(ratio)
    if not bool(training) or ratio == 0:
        return x, torch.ones_like(x, dtype=torch.bool)
    generator = torch.Generator().manual_seed(int(seed)) if seed is not None else None
    keep = torch.rand(x.shape, generator=generator) >= ratio
    return torch.where(keep, x / (1 - ratio), torch.zeros_like(x)), keep

# @helper onnx_uint64_shift_right
def onnx_uint64_shift_right(x, shift):
    """ONNX BitShift RIGHT on uint64, which lives in int64 (the same bits): a logical shift. The
    arithmetic shift copies the top bit; the mask clears those copies (none when shift is 0)."""
    shift = torch.as_tensor(shift, dtype=torch.int64)
    kept = torch.bitwise_right_shift(torch.full_like(shift, 0x7FFFFFFFFFFFFFFF),
                                      (shift - 1).clamp(min=0))
    shifted = torch.bitwise_right_shift(x, shift)
    return torch.where(shift > 0, shifted & kept, shifted)
