# Helpers of the control-flow ops (torch/control_flow.cc): If, Loop and Scan become Python `if`
# and `for` statements in the cluster function; these are the small pieces around them. The
# marker lines work as in helpers.py.

# @helper onnx_loop_iterations
def onnx_loop_iterations(trip_count):
    """ONNX Loop's iteration numbers: 0 .. M-1, or unbounded when M is omitted (cond ends it)."""
    if trip_count is not None:
        return range(max(int(trip_count), 0))

    def unbounded():
        i = 0
        while True:
            yield i
            i += 1
    return unbounded()


# @helper onnx_stack_iterations
def onnx_stack_iterations(items, dtype, shape, axis=0, reverse=False):
    """One value per iteration, stacked along `axis` (Loop and Scan outputs); `shape` is the
    output's static shape (None for unknown dims), which gives an empty result its shape."""
    if reverse:
        items = items[::-1]
    if items:
        return torch.stack(items, dim=axis)
    dims = [0 if d is None else d for d in (shape or (0,))]
    dims[axis] = 0
    return torch.empty(dims, dtype=dtype)
