"""The schedule over time: predicted from schedule.json, measured from a --trace run.

The prediction replays the generated program's execution model (as core/schedule/simulate.cc
does): each cluster is one worker that runs its nodes in the cluster's order; a node starts
when the previous node of its worker finished and every input made on another worker has
arrived, its producer's finish plus the transfer cost (latency + bytes / bandwidth of the
schedule's device profile; tensor sizes from ONNX shape inference on the model).
"""
import json
import subprocess
import sys

import onnx

_DTYPE_BYTES = {1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8,
                16: 2}


def tensor_bytes(onnx_path):
    """Bytes of every tensor whose static shape ONNX shape inference knows, by name."""
    model = onnx.shape_inference.infer_shapes(onnx.load(onnx_path))
    sizes = {}
    for info in list(model.graph.value_info) + list(model.graph.input) + list(model.graph.output):
        tensor_type = info.type.tensor_type
        if not tensor_type.HasField("shape"):
            continue
        count = 1
        for dim in tensor_type.shape.dim:
            if not dim.HasField("dim_value"):
                count = None
                break
            count *= dim.dim_value
        if count is not None:
            sizes[info.name] = count * _DTYPE_BYTES.get(tensor_type.elem_type, 4)
    return sizes


def predict(schedule, sizes):
    """Predicted slices {worker, node, op, start_us, end_us} and the makespan in microseconds."""
    profile = schedule["options"]["device_profile"]
    latency, gbps = profile["transfer_latency_us"], profile["transfer_gbps"]
    nodes = {n["name"]: n for n in schedule["nodes"]}
    producer = {t: n["name"] for n in schedule["nodes"] for t in n["outputs"]}
    # Edge cost per (producer, consumer) pair: the transfer costs of the tensors between them.
    edge_cost = {}
    for node in schedule["nodes"]:
        for tensor in node["inputs"]:
            if tensor in producer:
                key = (producer[tensor], node["name"])
                cost = latency + sizes.get(tensor, 0) / (gbps * 1e3)  # GB/s = 1e3 B/us
                edge_cost[key] = edge_cost.get(key, 0.0) + cost
    clusters = sorted(schedule["clusters"], key=lambda c: c["id"])
    position = {c["id"]: 0 for c in clusters}
    finish, slices = {}, []
    free_at = {c["id"]: 0.0 for c in clusters}
    remaining = sum(len(c["nodes"]) for c in clusters)
    while remaining:  # run any worker whose next node has all its inputs (deadlock-free order)
        progressed = False
        for cluster in clusters:
            cid = cluster["id"]
            while position[cid] < len(cluster["nodes"]):
                name = cluster["nodes"][position[cid]]
                preds = {(p, name) for p in (producer.get(t) for t in nodes[name]["inputs"])
                         if p is not None}
                if any(p not in finish for p, _ in preds):
                    break
                start = free_at[cid]
                for p, _ in preds:
                    same = nodes[p]["cluster"] == cid
                    start = max(start, finish[p] + (0.0 if same else edge_cost[(p, name)]))
                end = start + nodes[name]["cost_us"]
                finish[name], free_at[cid] = end, end
                slices.append({"worker": cid, "node": name, "op": nodes[name]["op"],
                               "start_us": start, "end_us": end})
                position[cid] += 1
                remaining -= 1
                progressed = True
        if not progressed:
            raise ValueError("the schedule's cluster orders deadlock")
    return slices, max((s["end_us"] for s in slices), default=0.0)


def run_trace(python, program, onnx_path, trace_path, timeout=600):
    """One traced run of the program (its own warm-up first) in thread mode."""
    subprocess.run([python, program, "--onnx", onnx_path, "--trace", trace_path], check=True,
                   stdout=subprocess.DEVNULL, timeout=timeout)
    return measured(trace_path)


def measured(trace_path):
    """Measured slices {worker, node, op, start_us, end_us} from a Chrome trace, time 0 at the
    first slice."""
    with open(trace_path) as f:
        events = [e for e in json.load(f)["traceEvents"] if e.get("ph") == "X"]
    t0 = min((e["ts"] for e in events), default=0.0)
    return [{"worker": e["tid"], "node": e["name"], "op": e.get("cat", ""),
             "start_us": e["ts"] - t0, "end_us": e["ts"] - t0 + e["dur"]} for e in events]


def is_handoff(op):
    return op in ("recv", "send")


def summarize(predicted, measured_slices, predicted_makespan, reported_makespan):
    """Per-worker busy and waiting time, and time per op type, predicted against measured."""
    workers = sorted({s["worker"] for s in measured_slices} | {s["worker"] for s in predicted})
    per_worker = []
    for w in workers:
        mine = [s for s in measured_slices if s["worker"] == w]
        busy = sum(s["end_us"] - s["start_us"] for s in mine if not is_handoff(s["op"]))
        handoff = sum(s["end_us"] - s["start_us"] for s in mine if is_handoff(s["op"]))
        end = max((s["end_us"] for s in mine), default=0.0)
        per_worker.append({"worker": w, "busy_ms": busy / 1e3, "handoff_ms": handoff / 1e3,
                           "end_ms": end / 1e3,
                           "predicted_busy_ms": sum(s["end_us"] - s["start_us"] for s in predicted
                                                    if s["worker"] == w) / 1e3})
    by_op = {}
    for s in measured_slices:
        if not is_handoff(s["op"]):
            by_op.setdefault(s["op"], [0.0, 0.0])[0] += (s["end_us"] - s["start_us"]) / 1e3
    for s in predicted:
        by_op.setdefault(s["op"], [0.0, 0.0])[1] += (s["end_us"] - s["start_us"]) / 1e3
    ops = [{"op": op, "measured_ms": m, "predicted_ms": p}
           for op, (m, p) in sorted(by_op.items(), key=lambda kv: -kv[1][0])]
    return {"predicted_makespan_ms": predicted_makespan / 1e3,
            "reported_makespan_ms": reported_makespan / 1e3,
            "measured_makespan_ms": max((s["end_us"] for s in measured_slices),
                                        default=0.0) / 1e3,
            "workers": per_worker, "ops": ops}


if __name__ == "__main__":  # gantt.py schedule.json model.onnx: the predicted makespan
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    _, span = predict(doc, tensor_bytes(sys.argv[2]))
    print("simulated %.1f us, schedule.json %.1f us" % (span, doc["prediction"]["makespan_us"]))
