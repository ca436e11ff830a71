# Helpers of the signal-processing ops (emitters/signal.cc): DFT, STFT and the mel filter
# bank. ONNX spells complex numbers as a trailing axis of size 2 (real, imaginary); a trailing
# axis of size 1 is a real signal. The marker lines work as in helpers.py.

# @helper onnx_as_complex
def onnx_as_complex(x):
    """A signal with ONNX's trailing (real[, imaginary]) axis as a complex tensor."""
    if x.shape[-1] == 1:
        return x[..., 0].to(torch.complex128 if x.dtype == torch.float64 else torch.complex64)
    return torch.view_as_complex(x.contiguous())

# @helper onnx_dft
def onnx_dft(x, length=None, axis=1, inverse=0, onesided=0):
    """ONNX DFT along `axis`, zero-padded or cut to `length`; onesided keeps the first
    length // 2 + 1 frequencies."""
    signal = onnx_as_complex(x)
    n = signal.shape[axis] if length is None else int(length)
    transform = torch.fft.ifft if inverse else torch.fft.fft
    y = transform(signal, n=n, dim=axis)
    if onesided:
        y = y.narrow(axis, 0, n // 2 + 1)
    return torch.view_as_real(y).to(x.dtype)

# @helper onnx_stft
def onnx_stft(x, step, window=None, length=None, onesided=1):
    """ONNX STFT: frames of `length` samples every `step`, each windowed and transformed:
    (batch, frames, frequencies, 2)."""
    signal = onnx_as_complex(x)
    n = int(length) if length is not None else window.shape[0]
    frames = signal.unfold(1, n, int(step))  # (batch, frames, n)
    if window is not None:
        frames = frames * window
    y = torch.fft.fft(frames, dim=-1)
    if onesided:
        y = y[..., :n // 2 + 1]
    return torch.view_as_real(y).to(x.dtype)

# @helper onnx_mel_weight_matrix
def onnx_mel_weight_matrix(bins, dft_length, sample_rate, low_hz, high_hz, dtype):
    """ONNX MelWeightMatrix: (dft_length // 2 + 1, bins) triangular filters, evenly spaced on
    the mel scale between the edge frequencies, computed as ONNX's reference does."""
    import math

    bins, dft_length, sample_rate = int(bins), int(dft_length), int(sample_rate)
    low_mel = 2595 * math.log10(1 + float(low_hz) / 700)
    high_mel = 2595 * math.log10(1 + float(high_hz) / 700)
    step = (high_mel - low_mel) / (bins + 2)
    points = [int(((dft_length + 1) * (700 * (10 ** ((i * step + low_mel) / 2595) - 1)))
                  // sample_rate) for i in range(bins + 2)]
    out = torch.zeros(dft_length // 2 + 1, bins, dtype=torch.float64)
    for i in range(bins):
        left, center, right = points[i], points[i + 1], points[i + 2]
        if center == left:
            out[center, i] = 1
        else:
            for j in range(left, center + 1):
                out[j, i] = (j - left) / (center - left)
        for j in range(center, right):
            out[j, i] = (right - j) / (right - center)
    return out.to(dtype)
