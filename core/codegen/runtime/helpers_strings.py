# Helpers of string tensors (emitters/strings.cc). Torch has no string dtype, so a string tensor
# is a numpy array of Python str (dtype=object) everywhere in a program. The marker lines work
# as in helpers.py.

def is_string_array(value):
    """Whether `value` is a string tensor as programs hold them."""
    return isinstance(value, np.ndarray) and value.dtype == object


# @helper onnx_cast_to_string
def onnx_cast_to_string(x):
    """ONNX Cast to STRING: each element as numpy prints its scalar, which is how ONNX's own
    test data spells them (str(numpy.float32(v)): the shortest text that reads back as the same
    float32); bfloat16 as the float32 it widens to."""
    if x.dtype == torch.bfloat16:
        x = x.float()
    values = x.detach().numpy()
    return np.array([str(v) for v in values.reshape(-1)], dtype=object).reshape(values.shape)


# @helper onnx_cast_from_string
def onnx_cast_from_string(x, dtype):
    """ONNX Cast from STRING to the number type `dtype`: each str parsed as numpy parses it,
    through Python's float() for floats ("1e-5", "NaN", "INF", "+INF", "-inf", "Infinity")
    and int() for integers."""
    if dtype == torch.bfloat16:
        return torch.from_numpy(x.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(x.astype(torch.empty((), dtype=dtype).numpy().dtype))


# @helper onnx_string_normalizer
def onnx_string_normalizer(x, case_change, case_sensitive, stopwords):
    """ONNX StringNormalizer on a [C] or [1, C] array: drops the stopwords (matched in lower
    case unless case_sensitive), then changes case ("LOWER", "UPPER" or "NONE"). When nothing
    is left the result is [""], of shape [1] or [1, 1], as the spec says."""
    words = list(x.reshape(-1))
    if case_sensitive:
        stop = set(stopwords)
        kept = [word for word in words if word not in stop]
    else:
        stop = {word.lower() for word in stopwords}
        kept = [word for word in words if word.lower() not in stop]
    if case_change == "LOWER":
        kept = [word.lower() for word in kept]
    elif case_change == "UPPER":
        kept = [word.upper() for word in kept]
    out = np.array(kept or [""], dtype=object)
    return out.reshape(1, -1) if x.ndim == 2 else out
