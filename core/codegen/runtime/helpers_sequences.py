# Helpers of sequences and optionals (emitters/sequence.cc): the checks ONNX makes where Python's
# own list operations would clamp or pass None on. The marker lines work as in helpers.py.

# @helper onnx_sequence_insert
def onnx_sequence_insert(sequence, tensor, position):
    """ONNX SequenceInsert: a new list with `tensor` before the element now at `position`; of n
    elements, positions -n to n are valid (n appends), and any other is an error (slicing would
    silently clamp it)."""
    count = len(sequence)
    if not -count <= position <= count:
        raise IndexError("SequenceInsert: position %d is outside [-%d, %d] of a sequence of %d"
                         % (position, count, count, count))
    return sequence[:position] + [tensor] + sequence[position:]

# @helper onnx_optional_get_element
def onnx_optional_get_element(value):
    """ONNX OptionalGetElement of an optional: its value; an empty optional is an error."""
    if value is None:
        raise ValueError("OptionalGetElement: the optional is empty")
    return value
