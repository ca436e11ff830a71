# Helpers of the resampling ops (emitters/resize.cc): ONNX Resize / Upsample with explicit
# index math for the modes torch's interpolate cannot express. The marker lines work as in
# helpers.py.

# @helper onnx_resize_axis
def onnx_resize_axis(size, out_size, scale, mode, transform, nearest, cubic_a, exclude_outside,
                     roi_start, roi_end):
    """The sampling of one axis as ONNX's reference defines it: per output position, the input
    positions read (clamped into range), their weights, and whether it lies inside the image
    (tf_crop_and_resize extrapolates outside). Lists of Python numbers."""
    import math

    taps = 4 if mode == "cubic" else 2
    pad = (taps + 1) // 2  # the reference pads the input this much by repeating its edges
    positions, weights, inside = [], [], []
    out_width = scale * size
    for i in range(out_size):
        if transform == "align_corners":
            x = 0.0 if out_width == 1 else i * (size - 1) / (out_width - 1)
        elif transform == "asymmetric":
            x = i / scale
        elif transform == "tf_crop_and_resize":
            if out_width == 1:
                x = (roi_end - roi_start) * (size - 1) / 2
            else:
                x = i * (roi_end - roi_start) * (size - 1) / (out_width - 1)
            x += roi_start * (size - 1)
        elif transform == "pytorch_half_pixel":
            x = -0.5 if out_width == 1 else (i + 0.5) / scale - 0.5
        elif transform in ("tf_half_pixel_for_nearest", "tf_half_pixel_for_nn"):
            x = (i + 0.5) / scale
        else:  # half_pixel
            x = (i + 0.5) / scale - 0.5
        inside.append(0 <= x <= size - 1)
        # The taps sit left of x when it falls on a position: ratio in (0, 1].
        left = math.floor(x) if x != math.floor(x) else int(x) - 1
        ratio = x - left
        first = left - (taps // 2 - 1)
        first = min(max(first, -pad), size - 1 + pad - (taps - 1))
        taps_at = list(range(first, first + taps))
        if mode == "nearest":
            if ratio == 1:
                coeffs = [0.0, 1.0]
            elif nearest == "round_prefer_ceil":
                coeffs = [float(ratio < 0.5), float(ratio >= 0.5)]
            elif nearest == "floor":
                coeffs = [1.0, 0.0]
            elif nearest == "ceil" or (nearest == "simple" and scale < 1):
                coeffs = [0.0, 1.0]
            elif nearest == "simple":  # Resize-10 and Upsample: floor, ceil when shrinking
                coeffs = [1.0, 0.0]
            else:  # round_prefer_floor
                coeffs = [float(ratio <= 0.5), float(ratio > 0.5)]
        elif mode == "linear":
            coeffs = [1 - ratio, ratio]
        else:
            a, r, s = cubic_a, ratio, 1 - ratio
            coeffs = [((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
                      ((a + 2) * r - (a + 3)) * r * r + 1,
                      ((a + 2) * s - (a + 3)) * s * s + 1,
                      ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a]
        if exclude_outside:
            coeffs = [c if 0 <= p < size else 0.0 for c, p in zip(coeffs, taps_at)]
            total = sum(coeffs)
            coeffs = [c / total for c in coeffs]
        positions.append([min(max(p, 0), size - 1) for p in taps_at])
        weights.append(coeffs)
    return positions, weights, inside

# @helper onnx_resize
def onnx_resize(x, scales=None, sizes=None, roi=None, mode="nearest", transform="half_pixel",
                nearest="round_prefer_floor", cubic_a=-0.75, exclude_outside=0,
                extrapolation=0.0):
    """ONNX Resize (and Upsample): each axis resampled in turn, in float64, by the taps and
    weights onnx_resize_axis computes; nearest reads the chosen position only."""
    import math

    in_sizes = list(x.shape)
    if sizes is not None and len(onnx_ints(sizes)) > 0:
        out_sizes = onnx_ints(sizes)
        factors = [o / i for o, i in zip(out_sizes, in_sizes)]
    else:
        factors = [float(s) for s in (scales.reshape(-1).tolist()
                                      if isinstance(scales, torch.Tensor) else scales)]
        out_sizes = [int(math.floor(f * i)) for f, i in zip(factors, in_sizes)]
    rank = x.dim()
    bounds = [float(r) for r in roi.reshape(-1).tolist()] if roi is not None else []
    y = x.to(torch.float64)
    outside = None
    for axis in range(rank):
        if (out_sizes[axis] == in_sizes[axis] and factors[axis] == 1.0 and
                transform != "tf_crop_and_resize"):
            continue  # every transform maps an unscaled axis onto itself
        start, end = (bounds[axis], bounds[axis + rank]) if len(bounds) == 2 * rank else (0, 1)
        positions, weights, inside = onnx_resize_axis(
            in_sizes[axis], out_sizes[axis], factors[axis], mode, transform, nearest, cubic_a,
            exclude_outside, start, end)
        if mode == "nearest":
            chosen = [p[w.index(1.0)] for p, w in zip(positions, weights)]
            y = torch.index_select(y, axis, torch.tensor(chosen, dtype=torch.int64))
        else:
            matrix = torch.zeros(out_sizes[axis], in_sizes[axis], dtype=torch.float64)
            for row, (taps, coeffs) in enumerate(zip(positions, weights)):
                for p, c in zip(taps, coeffs):
                    matrix[row, p] += c
            y = torch.tensordot(y, matrix, dims=([axis], [1])).movedim(-1, axis)
        if transform == "tf_crop_and_resize":
            shape = [1] * rank
            shape[axis] = out_sizes[axis]
            mask = ~torch.tensor(inside).reshape(shape)
            outside = mask if outside is None else outside | mask
    if outside is not None:
        y = torch.where(outside, torch.tensor(extrapolation, dtype=torch.float64), y)
    if not x.dtype.is_floating_point:
        y = torch.round(y)
    return y.to(x.dtype)
