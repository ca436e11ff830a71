# Helpers for ONNX operators that have no single torch call; a program calls them as
# ramiel.NAME(...). Each starts with a marker line naming the function it defines: the build
# lists them (embed_runtime.cmake), so the code generator knows which names exist.

# @helper tensor_from_base64
def tensor_from_base64(chunks, dtype, shape):
    """A constant stored as base64 of its little-endian bytes (too long to spell as a list)."""
    import base64

    data = bytearray(base64.b64decode("".join(chunks)))
    if not data:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(data, dtype=dtype).reshape(shape).clone()

# @helper batch_norm_scale
def batch_norm_scale(weight, var, epsilon, rank):
    """A trained batch norm's scale per channel, weight / sqrt(var + epsilon), shaped (C, 1, ...)
    against an (N, C, ...) input of `rank` dims; programs derive it once, at load."""
    return (weight * torch.rsqrt(var + epsilon)).reshape((-1,) + (1,) * (rank - 2))

# @helper batch_norm_shift
def batch_norm_shift(weight, bias, mean, var, epsilon, rank):
    """The shift that goes with batch_norm_scale: bias - mean * scale, so that the normalization
    is one multiply-add, torch.addcmul(shift, x, scale)."""
    per_channel = (-1,) + (1,) * (rank - 2)
    return bias.reshape(per_channel) - mean.reshape(per_channel) * batch_norm_scale(
        weight, var, epsilon, rank)

# @helper onnx_ints
def onnx_ints(values):
    """A list of Python ints from a 1-D tensor or a sequence (shapes, axes, indices)."""
    if isinstance(values, torch.Tensor):
        return [int(v) for v in values.reshape(-1).tolist()]
    return [int(v) for v in values]

# @helper onnx_reshape
def onnx_reshape(x, shape, allowzero=0):
    """ONNX Reshape of a shape known at run time: 0 copies the input's dimension (unless
    allowzero), -1 is inferred."""
    dims = onnx_ints(shape)
    if not allowzero:
        dims = [x.shape[i] if d == 0 else d for i, d in enumerate(dims)]
    return x.reshape(dims)

# @helper onnx_flatten
def onnx_flatten(x, axis):
    """ONNX Flatten: the dimensions before `axis` and those from it, each multiplied out."""
    import math

    return x.reshape(math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))

# @helper onnx_gather
def onnx_gather(x, indices, axis):
    """ONNX Gather: index_select along `axis` with indices of any rank; negative ones count
    from the end."""
    axis = axis + x.dim() if axis < 0 else axis
    flat = indices.reshape(-1).to(torch.int64)
    flat = torch.where(flat < 0, flat + x.shape[axis], flat)
    out = torch.index_select(x, axis, flat)
    return out.reshape(tuple(x.shape[:axis]) + tuple(indices.shape) + tuple(x.shape[axis + 1:]))


onnx_gather.traceable = True  # tensor operations only: the traced engines may trace it

# @helper onnx_slice
def onnx_slice(x, starts, ends, axes=None, steps=None):
    """ONNX Slice with arbitrary steps (torch slicing has no negative steps)."""
    starts, ends = onnx_ints(starts), onnx_ints(ends)
    axes = list(range(len(starts))) if axes is None else onnx_ints(axes)
    steps = [1] * len(starts) if steps is None else onnx_ints(steps)
    for start, end, axis, step in zip(starts, ends, axes, steps):
        axis = axis + x.dim() if axis < 0 else axis
        if step > 0:  # Python's slicing clamps exactly as ONNX does
            x = x[(slice(None),) * axis + (slice(start, end, step),)]
        else:
            picked = range(*slice(start, end, step).indices(x.shape[axis]))
            x = torch.index_select(x, axis, torch.tensor(list(picked), dtype=torch.int64))
    return x

# @helper onnx_expand
def onnx_expand(x, shape):
    """ONNX Expand: broadcasts both ways (a 1 in `shape` keeps the input's dimension)."""
    return x.expand(torch.broadcast_shapes(tuple(x.shape), tuple(onnx_ints(shape))))

# @helper onnx_squeeze
def onnx_squeeze(x, axes=None):
    """ONNX Squeeze of axes known at run time (all size-1 dimensions without axes)."""
    if axes is None:
        return x.squeeze()
    for axis in sorted((a % x.dim() for a in onnx_ints(axes)), reverse=True):
        x = x.squeeze(axis)
    return x

# @helper onnx_unsqueeze
def onnx_unsqueeze(x, axes):
    """ONNX Unsqueeze of axes known at run time (they index the output's dimensions)."""
    axes = onnx_ints(axes)
    rank = x.dim() + len(axes)
    for axis in sorted(a % rank for a in axes):
        x = x.unsqueeze(axis)
    return x
