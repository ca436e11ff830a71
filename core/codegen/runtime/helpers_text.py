# Helpers of the text ops (emitters/text.cc): TfIdfVectorizer over integer tokens. The marker
# lines work as in helpers.py.

# @helper onnx_tfidf_vectorizer
def onnx_tfidf_vectorizer(x, mode, min_gram, max_gram, max_skip, ngram_counts, ngram_indexes,
                          pool, weights=None):
    """ONNX TfIdfVectorizer: per row, counts of the pool's n-grams (min_gram..max_gram tokens,
    up to max_skip tokens skipped between neighbours; 1-grams never skip), each at its
    ngram_indexes position, then as TF (counts), IDF (weight where counted) or TFIDF
    (count x weight)."""
    rows = x.reshape(1, -1) if x.dim() == 1 else x
    width = max(ngram_indexes) + 1 if ngram_indexes else 0
    # The pool lists the 1-grams, then the 2-grams, ...; ngram_counts[n - 1] is where the
    # n-grams start, and ngram_indexes gives each n-gram, in pool order, its output position.
    lookup = {}
    gram = 0
    for level, start in enumerate(ngram_counts):
        n = level + 1
        end = ngram_counts[level + 1] if level + 1 < len(ngram_counts) else len(pool)
        for at in range(start, end, n):
            lookup.setdefault(n, {})[tuple(pool[at:at + n])] = ngram_indexes[gram]
            gram += 1
    out = torch.zeros(rows.shape[0], width, dtype=torch.float32)
    for r, tokens in enumerate(rows.tolist()):
        for n in range(max(min_gram, 1), max_gram + 1):
            table = lookup.get(n)
            if not table:
                continue
            for skip in range(0, (max_skip if n > 1 else 0) + 1):
                step = skip + 1
                for begin in range(0, len(tokens) - (n - 1) * step):
                    position = table.get(tuple(tokens[begin + i * step] for i in range(n)))
                    if position is not None:
                        out[r, position] += 1
    if mode == "IDF":
        scale = torch.tensor(weights, dtype=torch.float32) if weights else torch.ones(width)
        out = torch.where(out > 0, scale.expand_as(out), torch.zeros_like(out))
    elif mode == "TFIDF" and weights:
        out = out * torch.tensor(weights, dtype=torch.float32)
    return out.reshape(width) if x.dim() == 1 else out
