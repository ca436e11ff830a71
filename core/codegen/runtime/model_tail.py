MODEL = ramiel.Model(globals())
NodeError, ModelMismatchError = ramiel.NodeError, ramiel.ModelMismatchError


def load(onnx_path, workers=None, mode="thread", threads=None, engine=None):
    """Loads the weights from `onnx_path` (it must be the model compiled) and starts the workers:
    None for the schedule's count, 1 for a serial run. mode: "thread" or "process". threads:
    intra-op threads; None for the schedule's. engine: "eager", "frozen" or "prepacked" (each
    cluster traced and frozen at load) or None for ENGINES. See ramiel_runtime.Program."""
    return ramiel.Program(MODEL, onnx_path, workers=workers, mode=mode, threads=threads,
                          engine=engine)


if __name__ == "__main__":
    sys.exit(ramiel.main(MODEL))
if __name__ == "__ramiel_worker__":  # a worker process of mode="process"
    ramiel.process_worker_main(MODEL, globals()["_RAMIEL_WORKER_ARGS"])
