# Helpers of the recurrent ops (emitters/rnn.cc): ONNX RNN, GRU and LSTM step by step, with
# ONNX's gate order, activations, clipping, sequence lengths and directions. The marker lines
# work as in helpers.py.

# @helper onnx_rnn_activation
def onnx_rnn_activation(name, alpha=None, beta=None):
    """The function an ONNX recurrent op names in `activations` (its alpha / beta applied)."""
    if name == "Sigmoid":
        return torch.sigmoid
    if name == "Tanh":
        return torch.tanh
    if name == "Relu":
        return torch.relu
    if name == "Affine":
        return lambda v: alpha * v + beta
    if name == "LeakyRelu":
        return lambda v: F.leaky_relu(v, alpha)
    if name == "ThresholdedRelu":
        return lambda v: torch.where(v > alpha, v, torch.zeros_like(v))
    if name == "ScaledTanh":
        return lambda v: alpha * torch.tanh(beta * v)
    if name == "HardSigmoid":
        return lambda v: torch.clamp(alpha * v + beta, 0, 1)
    if name == "Elu":
        return lambda v: F.elu(v, alpha)
    if name == "Softsign":
        return F.softsign
    if name == "Softplus":
        return F.softplus
    raise ValueError("unknown recurrent activation %r" % (name,))

# @helper onnx_recurrent
def onnx_recurrent(kind, x, w, r, b=None, lengths=None, h0=None, c0=None, peephole=None,
                   direction="forward", activations=None, alphas=(), betas=(), clip=None,
                   layout=0, linear_before_reset=0, input_forget=0):
    """ONNX RNN / GRU / LSTM ("rnn", "gru", "lstm"): returns (Y, Y_h) or (Y, Y_h, Y_c)."""
    if layout == 1:  # batch first
        x = x.transpose(0, 1)
        h0 = None if h0 is None else h0.transpose(0, 1)
        c0 = None if c0 is None else c0.transpose(0, 1)
    steps, batch = x.shape[0], x.shape[1]
    dirs, hidden = w.shape[0], r.shape[-1]
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[kind]
    defaults = {"rnn": ["Tanh"], "gru": ["Sigmoid", "Tanh"], "lstm": ["Sigmoid", "Tanh", "Tanh"]}
    names = list(activations) if activations else defaults[kind] * dirs
    alphas, betas = list(alphas), list(betas)
    takes_alpha = ("Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu")
    takes_beta = ("Affine", "ScaledTanh", "HardSigmoid")
    functions = []
    for name in names:
        alpha = alphas.pop(0) if name in takes_alpha and alphas else {
            "LeakyRelu": 0.01, "ThresholdedRelu": 1.0, "HardSigmoid": 0.2, "Elu": 1.0}.get(name, 1.0)
        beta = betas.pop(0) if name in takes_beta and betas else (
            0.5 if name == "HardSigmoid" else 0.0 if name == "Affine" else 1.0)
        functions.append(onnx_rnn_activation(name, alpha, beta))
    per_dir = len(functions) // dirs
    length = (torch.full((batch,), steps, dtype=torch.int64) if lengths is None
              else lengths.to(torch.int64))
    clip_to = (lambda v: torch.clamp(v, -clip, clip)) if clip is not None else (lambda v: v)
    time = torch.arange(steps).reshape(steps, 1)
    # Reverse runs read each sequence's valid prefix backwards.
    backwards = torch.where(time < length, length - 1 - time, time)  # (steps, batch)
    ys, last_h, last_c = [], [], []
    for d in range(dirs):
        f = functions[d * per_dir:(d + 1) * per_dir]
        reverse = direction == "reverse" or (direction == "bidirectional" and d == 1)
        wd, rd = w[d], r[d]
        if b is not None:
            wb, rb = b[d][:gates * hidden], b[d][gates * hidden:]
        else:
            wb = rb = torch.zeros(gates * hidden, dtype=x.dtype)
        h = h0[d] if h0 is not None else torch.zeros(batch, hidden, dtype=x.dtype)
        c = c0[d] if c0 is not None else torch.zeros(batch, hidden, dtype=x.dtype)
        if peephole is not None:
            p_i, p_o, p_f = peephole[d].split(hidden)
        outputs = [None] * steps
        for t in range(steps):
            if reverse:
                xt = x[backwards[t], torch.arange(batch)]
            else:
                xt = x[t]
            active = (t < length).reshape(batch, 1)
            xw = xt @ wd.t() + wb
            if kind == "rnn":
                h_new = f[0](clip_to(xw + h @ rd.t() + rb))
            elif kind == "gru":
                x_z, x_r, x_h = xw.split(hidden, dim=-1)
                r_z, r_r, r_h = rd.split(hidden)
                b_z, b_r, b_h = rb.split(hidden)
                z = f[0](clip_to(x_z + h @ r_z.t() + b_z))
                reset = f[0](clip_to(x_r + h @ r_r.t() + b_r))
                if linear_before_reset:
                    candidate = f[1](clip_to(x_h + reset * (h @ r_h.t() + b_h)))
                else:
                    candidate = f[1](clip_to(x_h + (reset * h) @ r_h.t() + b_h))
                h_new = (1 - z) * candidate + z * h
            else:
                x_i, x_o, x_f, x_c = (xw + h @ rd.t() + rb).split(hidden, dim=-1)
                if peephole is not None:
                    x_i, x_f = x_i + p_i * c, x_f + p_f * c
                i = f[0](clip_to(x_i))
                forget = 1 - i if input_forget else f[0](clip_to(x_f))
                c_new = forget * c + i * f[1](clip_to(x_c))
                if peephole is not None:
                    x_o = x_o + p_o * c_new
                o = f[0](clip_to(x_o))
                h_new = o * f[2](c_new)
                c = torch.where(active, c_new, c)
            h = torch.where(active, h_new, h)
            outputs[t] = torch.where(active, h_new, torch.zeros_like(h_new))
        y = torch.stack(outputs)  # (steps, batch, hidden), in processing order
        if reverse:  # back to input order: valid steps un-reversed, padding stays zero
            y = y[backwards, torch.arange(batch)]
        ys.append(y)
        last_h.append(h)
        last_c.append(c)
    y = torch.stack(ys, dim=1)  # (steps, dirs, batch, hidden)
    y_h, y_c = torch.stack(last_h), torch.stack(last_c)
    if layout == 1:
        y, y_h, y_c = y.permute(2, 0, 1, 3), y_h.transpose(0, 1), y_c.transpose(0, 1)
    return (y, y_h, y_c) if kind == "lstm" else (y, y_h)
