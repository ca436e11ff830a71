"""Independent checks of a schedule.json: what every schedule Ramiel writes must satisfy."""
from collections import defaultdict, deque


def check_schedule(s, max_clusters):
    nodes = {n["name"]: n for n in s["nodes"]}
    assert len(nodes) == len(s["nodes"]), "node names must be unique"
    clusters = s["clusters"]
    wide = [c for c in clusters if c["kind"] == "wide"]
    assert len(wide) <= 1, "at most one wide cluster"
    assert 1 <= len(clusters) - len(wide) <= max_clusters or (len(clusters) == 1 and wide)
    assert all(c["threads"] >= 1 for c in clusters)

    # Every node in exactly one cluster, and the node's own record agrees.
    seen = {}
    for c in clusters:
        for name in c["nodes"]:
            assert name not in seen, f"{name} is in clusters {seen[name]} and {c['id']}"
            seen[name] = c["id"]
            assert nodes[name]["cluster"] == c["id"]
    assert set(seen) == set(nodes), "every node must be in a cluster"

    # Every tensor has one producer.
    producer = {}
    for n in s["nodes"]:
        for t in n["outputs"]:
            assert t not in producer, f"tensor {t} produced twice"
            producer[t] = n["name"]

    # Within a cluster, producers run before consumers.
    position = {name: i for c in clusters for i, name in enumerate(c["nodes"])}
    for n in s["nodes"]:
        for t in n["inputs"]:
            p = producer.get(t)
            if p and nodes[p]["cluster"] == n["cluster"]:
                assert position[p] < position[n["name"]], f"{p} must run before {n['name']}"

    # No deadlock: data edges plus each worker's program order form a DAG.
    succ = defaultdict(set)
    for n in s["nodes"]:
        for t in n["inputs"]:
            if t in producer:
                succ[producer[t]].add(n["name"])
    for c in clusters:
        for a, b in zip(c["nodes"], c["nodes"][1:]):
            succ[a].add(b)
    indegree = defaultdict(int)
    for a in succ:
        for b in succ[a]:
            indegree[b] += 1
    ready = deque(name for name in nodes if indegree[name] == 0)
    visited = 0
    while ready:
        a = ready.popleft()
        visited += 1
        for b in succ[a]:
            indegree[b] -= 1
            if indegree[b] == 0:
                ready.append(b)
    assert visited == len(nodes), "data + program order has a cycle: the workers would deadlock"

    # The wide cluster uses every core: each other node must be ordered against each wide node.
    if wide and len(clusters) > 1:
        def reachable(start):
            seen, stack = set(), [start]
            while stack:
                for b in succ[stack.pop()]:
                    if b not in seen:
                        seen.add(b)
                        stack.append(b)
            return seen
        reach = {name: reachable(name) for name in nodes}
        for w in wide[0]["nodes"]:
            for name, n in nodes.items():
                if n["cluster"] != wide[0]["id"]:
                    assert name in reach[w] or w in reach[name], f"{name} may run beside wide {w}"

    # Cross-cluster tensors are exactly the listed cluster edges.
    crossing = defaultdict(set)
    for n in s["nodes"]:
        for t in n["inputs"]:
            p = producer.get(t)
            if p and nodes[p]["cluster"] != n["cluster"]:
                crossing[(nodes[p]["cluster"], n["cluster"])].add(t)
    listed = {(e["from"], e["to"]): set(e["tensors"]) for e in s["cluster_edges"]}
    assert listed == dict(crossing)

    p = s["prediction"]
    assert p["makespan_us"] <= p["serial_us"] + 1e-3, "predicted makespan above serial"
    # No schedule beats the longest chain of node costs (transfers only add to it).
    longest = {}
    for n in s["nodes"]:  # nodes are listed in a topological order
        before = [longest[producer[t]] for t in n["inputs"] if t in producer]
        longest[n["name"]] = n["cost_us"] + max(before, default=0.0)
    assert p["makespan_us"] >= max(longest.values(), default=0.0) - 0.01 * len(nodes) - 1e-3
    assert abs(sum(c["cost_us"] for c in clusters) - sum(n["cost_us"] for n in s["nodes"])) < (
        0.01 * len(nodes) + 1e-3)
    assert p["serial_one_thread_us"] >= p["serial_us"] - 1e-3
