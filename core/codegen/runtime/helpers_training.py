# Helpers of the optimizers of ai.onnx.preview.training (emitters/training.cc): one step for n
# tensors, as ONNX's spec writes it. `tensors` holds the inputs after R and T in their groups
# (X1..Xn, G1..Gn, then each state's n tensors); the result is X1_new..Xn_new, then each new
# state's n tensors. The marker lines work as in helpers.py.

# @helper onnx_adagrad
def onnx_adagrad(r, t, tensors, norm_coefficient, epsilon, decay_factor):
    """ONNX Adagrad: H accumulates squared gradients, each step scaled by 1 / sqrt(H)."""
    n = len(tensors) // 3
    rate = r / (1 + int(t) * decay_factor)
    new_x, new_h = [], []
    for x, g, h in zip(tensors[:n], tensors[n:2 * n], tensors[2 * n:]):
        g = norm_coefficient * x + g
        h = h + g * g
        new_x.append(x - rate * g / (torch.sqrt(h) + epsilon))
        new_h.append(h)
    return tuple(new_x + new_h)

# @helper onnx_adam
def onnx_adam(r, t, tensors, norm_coefficient, epsilon, alpha, beta, norm_coefficient_post):
    """ONNX Adam: V and H are the running means of the gradient and its square; from the second
    step on (T > 0) the rate corrects their bias toward zero."""
    n = len(tensors) // 4
    t = int(t)
    rate = r * (1 - beta ** t) ** 0.5 / (1 - alpha ** t) if t > 0 else r
    new_x, new_v, new_h = [], [], []
    for x, g, v, h in zip(tensors[:n], tensors[n:2 * n], tensors[2 * n:3 * n], tensors[3 * n:]):
        g = norm_coefficient * x + g
        v = alpha * v + (1 - alpha) * g
        h = beta * h + (1 - beta) * (g * g)
        x = x - rate * (v / (torch.sqrt(h) + epsilon))
        new_x.append((1 - norm_coefficient_post) * x)
        new_v.append(v)
        new_h.append(h)
    return tuple(new_x + new_v + new_h)

# @helper onnx_momentum
def onnx_momentum(r, t, tensors, norm_coefficient, alpha, beta, nesterov):
    """ONNX Momentum, standard or Nesterov: V is the velocity; the first step (T = 0) takes the
    whole gradient."""
    n = len(tensors) // 3
    beta = beta if int(t) > 0 else 1.0
    new_x, new_v = [], []
    for x, g, v in zip(tensors[:n], tensors[n:2 * n], tensors[2 * n:]):
        g = norm_coefficient * x + g
        v = alpha * v + beta * g
        new_x.append(x - r * (g + alpha * v) if nesterov else x - r * v)
        new_v.append(v)
    return tuple(new_x + new_v)
