# Helpers of the quantization ops (emitters/quantize.cc): linear (de)quantization and the
# integer / quantized matmul and convolution. torch has no CPU kernels for integer matmul or
# convolution with ONNX's zero points, so those run on exact float64 copies of the integers.
# The marker lines work as in helpers.py.

# @helper onnx_along_axis
def onnx_along_axis(values, x, axis):
    """A per-axis (1-D) scale or zero point shaped to broadcast along `axis` of `x`; scalars
    and 1-element tensors stay as they are."""
    if values.dim() == 0 or values.numel() == 1:
        return values.reshape(())
    shape = [1] * x.dim()
    shape[axis] = -1
    return values.reshape(shape)

# @helper onnx_saturate
def onnx_saturate(values, dtype):
    """Rounds half to even and clamps into the range of the integer `dtype`."""
    info = torch.iinfo(dtype)
    return torch.clamp(torch.round(values), info.min, info.max).to(dtype)

# @helper onnx_quantize
def onnx_quantize(x, scale, zero_point=None, axis=1, dtype=torch.uint8):
    """ONNX QuantizeLinear: saturate(round(x / scale) + zero_point)."""
    y = torch.round(x.to(torch.float32) / onnx_along_axis(scale, x, axis))
    if zero_point is not None:
        y = y + onnx_along_axis(zero_point, x, axis).to(torch.float32)
    return onnx_saturate(y, dtype)

# @helper onnx_dequantize
def onnx_dequantize(x, scale, zero_point=None, axis=1):
    """ONNX DequantizeLinear: (x - zero_point) * scale, in float32."""
    y = x.to(torch.float32)
    if zero_point is not None:
        y = y - onnx_along_axis(zero_point, x, axis).to(torch.float32)
    return y * onnx_along_axis(scale, x, axis)

# @helper onnx_dynamic_quantize
def onnx_dynamic_quantize(x):
    """ONNX DynamicQuantizeLinear: uint8 with the scale and zero point that map the range of
    x (widened to include 0) onto [0, 255]."""
    low = torch.clamp(torch.min(x), max=0)
    high = torch.clamp(torch.max(x), min=0)
    scale = ((high - low) / 255).to(torch.float32)
    zero_point = onnx_saturate((0 - low) / scale, torch.uint8)
    y = onnx_saturate(torch.round(x / scale) + zero_point.to(torch.float32), torch.uint8)
    return y, scale, zero_point

# @helper onnx_integer_operand
def onnx_integer_operand(x, zero_point, axis):
    """x - zero_point as exact float64 (a 1-D zero point applies along `axis`)."""
    y = x.to(torch.float64)
    if zero_point is None:
        return y
    zero_point = zero_point.to(torch.float64)
    if zero_point.numel() > 1:
        shape = [1] * x.dim()
        shape[axis] = -1
        return y - zero_point.reshape(shape)
    return y - zero_point.reshape(())

# @helper onnx_matmul_integer
def onnx_matmul_integer(a, b, a_zero_point=None, b_zero_point=None):
    """ONNX MatMulInteger: (a - a_zp) @ (b - b_zp) in int32; a's zero point may be per row,
    b's per column."""
    product = torch.matmul(onnx_integer_operand(a, a_zero_point, a.dim() - 2),
                           onnx_integer_operand(b, b_zero_point, b.dim() - 1))
    return product.to(torch.int32)

# @helper onnx_conv_integer
def onnx_conv_integer(x, w, x_zero_point=None, w_zero_point=None, pad=None, **conv):
    """ONNX ConvInteger: the convolution of (x - x_zp) and (w - w_zp) in int32; w's zero point
    may be per output channel. Padding (`pad`, F.pad's order, or conv's own) adds elements
    equal to the zero point, which contribute nothing."""
    convolve = (F.conv1d, F.conv2d, F.conv3d)[x.dim() - 3]
    shifted = onnx_integer_operand(x, x_zero_point, 1)
    if pad is not None:
        shifted = F.pad(shifted, pad)
    y = convolve(shifted, onnx_integer_operand(w, w_zero_point, 0), **conv)
    return y.to(torch.int32)

# @helper onnx_requantize
def onnx_requantize(accumulated, scale, y_scale, y_zero_point, dtype, channel_axis=None):
    """An int32-exact accumulator scaled by scale / y_scale (float32, per channel when 1-D),
    rounded half to even, shifted by y's zero point and saturated."""
    multiplier = (scale.to(torch.float32) / y_scale.to(torch.float32)).reshape(-1)
    if multiplier.numel() > 1 and channel_axis is not None:
        shape = [1] * accumulated.dim()
        shape[channel_axis] = -1
        multiplier = multiplier.reshape(shape)
    else:
        multiplier = multiplier.reshape(())
    y = torch.round(accumulated.to(torch.float32) * multiplier)
    if y_zero_point is not None:
        y = y + y_zero_point.to(torch.float32).reshape(())
    return onnx_saturate(y, dtype)

# @helper onnx_qlinear_matmul
def onnx_qlinear_matmul(a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
                        y_zero_point):
    """ONNX QLinearMatMul: the integer product of the dequantized operands, requantized."""
    accumulated = onnx_matmul_integer(a, b, a_zero_point, b_zero_point)
    return onnx_requantize(accumulated, a_scale.reshape(()) * b_scale, y_scale, y_zero_point,
                           y_zero_point.dtype, channel_axis=accumulated.dim() - 1)

# @helper onnx_qlinear_conv
def onnx_qlinear_conv(x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
                      y_zero_point, bias=None, **conv):
    """ONNX QLinearConv: the integer convolution (plus the int32 bias), requantized; w's scale
    and zero point may be per output channel."""
    accumulated = onnx_conv_integer(x, w, x_zero_point, w_zero_point, **conv)
    if bias is not None:
        accumulated = accumulated + bias.reshape([-1] + [1] * (accumulated.dim() - 2))
    return onnx_requantize(accumulated, x_scale.reshape(()) * w_scale, y_scale, y_zero_point,
                           y_zero_point.dtype, channel_axis=1)
