# Helpers of the indexing ops (emitters/indexing.cc): gathers and scatters by index tensors,
# one-hot, compress, unique, reverse-sequence. The marker lines work as in helpers.py.

# @helper onnx_index
def onnx_index(indices, size):
    """Indices as int64 with negative ones counted from the end of a dimension of `size`."""
    indices = indices.to(torch.int64)
    return torch.where(indices < 0, indices + size, indices)

# @helper onnx_gather_elements
def onnx_gather_elements(x, indices, axis):
    """ONNX GatherElements: torch.gather with negative indices allowed."""
    return torch.gather(x, axis, onnx_index(indices, x.shape[axis]))

# @helper onnx_gather_nd
def onnx_gather_nd(x, indices, batch_dims):
    """ONNX GatherND: the last axis of `indices` addresses the leading data axes after the
    `batch_dims` shared batch axes."""
    import math

    depth = indices.shape[-1]
    batch = math.prod(x.shape[:batch_dims])
    data = x.reshape((batch,) + tuple(x.shape[batch_dims:]))
    index = indices.reshape(batch, -1, depth)
    rows = torch.arange(batch).reshape(batch, 1).expand(batch, index.shape[1])
    picked = data[(rows,) + tuple(onnx_index(index[..., j], data.shape[1 + j])
                                  for j in range(depth))]
    return picked.reshape(tuple(indices.shape[:-1]) + tuple(x.shape[batch_dims + depth:]))

# @helper onnx_scatter_elements
def onnx_scatter_elements(x, indices, updates, axis, reduction="none"):
    """ONNX ScatterElements (and Scatter): none replaces, add and mul combine with the data."""
    index = onnx_index(indices, x.shape[axis])
    if reduction == "add":
        return torch.scatter_add(x, axis, index, updates)
    if reduction == "none":
        return torch.scatter(x, axis, index, updates)
    reduce = {"mul": "prod", "max": "amax", "min": "amin"}[reduction]
    return torch.scatter_reduce(x, axis, index, updates, reduce, include_self=True)

# @helper onnx_scatter_nd
def onnx_scatter_nd(x, indices, updates, reduction="none"):
    """ONNX ScatterND: the last axis of `indices` addresses a slice of the data per update."""
    depth = indices.shape[-1]
    rows = indices.reshape(-1, depth)
    slices = updates.reshape((rows.shape[0],) + tuple(x.shape[depth:]))
    index = tuple(onnx_index(rows[:, j], x.shape[j]) for j in range(depth))
    out = x.clone()
    if reduction == "none":
        out[index] = slices
    elif reduction == "add":
        out.index_put_(index, slices, accumulate=True)
    else:  # mul, max, min: one update at a time, since indices may repeat
        combine = {"mul": torch.mul, "max": torch.maximum, "min": torch.minimum}[reduction]
        for i in range(rows.shape[0]):
            at = tuple(int(j[i]) for j in index)
            out[at] = combine(out[at], slices[i])
    return out

# @helper onnx_one_hot
def onnx_one_hot(indices, depth, values, axis):
    """ONNX OneHot: values[1] where the (possibly negative) index names the position along a
    new axis of size `depth`, values[0] elsewhere; out-of-range indices give all off."""
    depth = int(depth.reshape(-1)[0]) if isinstance(depth, torch.Tensor) else int(depth)
    index = indices.to(torch.int64)
    index = torch.where(index < 0, index + depth, index)
    positions = torch.arange(depth).reshape((depth,) + (1,) * index.dim())
    hot = (index.unsqueeze(0) == positions)  # the new axis first
    out = torch.where(hot, values[1], values[0])
    axis = axis + index.dim() + 1 if axis < 0 else axis
    return out.movedim(0, axis)

# @helper onnx_compress
def onnx_compress(x, condition, axis=None):
    """ONNX Compress: the slices along `axis` (of the flattened input without one) whose
    condition is true; a condition shorter than the axis drops the rest."""
    if axis is None:
        x, axis = x.reshape(-1), 0
    keep = condition.reshape(-1).to(torch.bool)[:x.shape[axis]]
    return torch.index_select(x, axis, torch.nonzero(keep).reshape(-1))

# @helper onnx_unique
def onnx_unique(x, axis=None, sorted_=True):
    """ONNX Unique: (unique values or slices, index of each one's first occurrence, inverse
    indices, counts); unsorted keeps the order of first occurrence."""
    if axis is None:
        flat = x.reshape(-1)
        values, inverse, counts = torch.unique(flat, sorted=True, return_inverse=True,
                                               return_counts=True)
        length = flat.shape[0]
    else:
        axis = axis + x.dim() if axis < 0 else axis
        values, inverse, counts = torch.unique(x, sorted=True, return_inverse=True,
                                               return_counts=True, dim=axis)
        length = x.shape[axis]
    first = torch.full((counts.shape[0],), length, dtype=torch.int64)
    first = first.scatter_reduce(0, inverse, torch.arange(length), "amin")
    if not sorted_:
        order = torch.argsort(first)
        rank = torch.argsort(order)
        values = torch.index_select(values, 0 if axis is None else axis, order)
        first, counts, inverse = first[order], counts[order], rank[inverse]
    return values, first, inverse, counts

# @helper onnx_reverse_sequence
def onnx_reverse_sequence(x, lengths, batch_axis, time_axis):
    """ONNX ReverseSequence: reverses the first lengths[b] steps along `time_axis` of each
    batch entry b."""
    out = x.clone()
    for b, length in enumerate(lengths.tolist()):
        index = [slice(None)] * x.dim()
        index[batch_axis] = slice(b, b + 1)
        index[time_axis] = slice(0, int(length))
        out[tuple(index)] = x[tuple(index)].flip(time_axis)
    return out

# @helper onnx_eye_like
def onnx_eye_like(x, k, dtype):
    """ONNX EyeLike: ones on diagonal k of a 2-D tensor shaped like `x`."""
    return torch.ones(tuple(x.shape), dtype=torch.float64).triu(k).tril(k).to(dtype)

# @helper onnx_pad
def onnx_pad(x, pads, mode="constant", value=None):
    """ONNX Pad of any axes: constant (negative pads crop), or edge / reflect by reading
    clamped / mirrored positions along each padded axis."""
    pads = onnx_ints(pads)
    rank = x.dim()
    if mode == "constant":
        torch_pads = []
        for axis in reversed(range(rank)):
            torch_pads += [pads[axis], pads[axis + rank]]
        fill = value.item() if isinstance(value, torch.Tensor) else (value or 0)
        return F.pad(x, torch_pads, value=fill)
    for axis in range(rank):
        begin, end = pads[axis], pads[axis + rank]
        if begin == 0 and end == 0:
            continue
        size = x.shape[axis]
        at = torch.arange(-begin, size + end)
        if mode == "edge":
            at = at.clamp(0, size - 1)
        else:  # reflect: mirror about the first and last elements, which are not repeated
            period = max(2 * (size - 1), 1)
            at = at % period
            at = torch.where(at >= size, period - at, at)
        x = torch.index_select(x, axis, at)
    return x
