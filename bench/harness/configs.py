"""The configurations measured side by side for one model, each a worker command line.

Families: "torch" (the original module), "serial" (the generated program, workers=1),
"parallel" (the generated program's workers), "ort" (ONNX Runtime's CPU build).
"""
import os
import sys
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_WORKER = os.path.join(HERE, "torch_worker.py")
ORT_WORKER = os.path.join(HERE, "ort_worker.js")


@dataclass
class Config:
    name: str     # key in results.json
    label: str    # column or row title in results.md
    family: str
    argv: list = field(default_factory=list)
    skip: str = ""  # why it is not measured (an empty string when it is)


def torch_configs(files, export_script, cores):
    base = [sys.executable, TORCH_WORKER, "--kind", "module", "--model", files.name,
            "--export-script", export_script, "--input", files.input]
    return [Config("torch-1", "PyTorch module, 1 thread", "torch", base + ["--threads", "1"]),
            Config("torch-all", "PyTorch module, %d threads" % cores, "torch",
                   base + ["--threads", str(cores)])]


def program_argv(program, files, workers, mode="thread", threads=None, engine=None):
    """workers None: the schedule's count (a staged schedule's wide cluster has a worker of its
    own beside the narrow ones); engine None: load()'s default."""
    argv = [sys.executable, TORCH_WORKER, "--kind", "program", "--program", program, "--onnx",
            files.onnx, "--input", files.input, "--mode", mode]
    argv += ["--workers", str(workers)] if workers is not None else []
    argv += ["--engine", engine] if engine else []
    return argv + (["--threads", str(threads)] if threads else [])


def ramiel_configs(files, program, pgo_program, pgo_skip, cores):
    configs = [
        Config("serial-1", "Ramiel serial, 1 thread", "serial",
               program_argv(program, files, 1, threads=1)),
        Config("serial-all", "Ramiel serial, %d threads" % cores, "serial",
               program_argv(program, files, 1, threads=cores)),
        Config("thread", "Ramiel parallel, threads", "parallel",
               program_argv(program, files, None, "thread")),
        Config("process", "Ramiel parallel, processes", "parallel",
               program_argv(program, files, None, "process")),
    ]
    # Profile-guided compilation hook: measured once model.py supports --profile.
    pgo = Config("pgo", "Ramiel parallel, profile-guided", "parallel", skip=pgo_skip)
    if not pgo_skip:
        pgo.argv = program_argv(pgo_program, files, None, "thread")
    configs.append(pgo)
    return configs


def ort_configs(files, package, feeds, cores, skip):
    def argv(execution, intra, inter):
        return ["node", ORT_WORKER, "--ort", package or "", "--onnx", files.onnx, "--feeds",
                feeds or "", "--execution", execution, "--intra", str(intra), "--inter",
                str(inter)]

    return [Config("ort-seq-1", "ONNX Runtime sequential, 1 thread", "ort",
                   argv("sequential", 1, 1), skip),
            Config("ort-seq-all", "ONNX Runtime sequential, %d threads" % cores, "ort",
                   argv("sequential", cores, 1), skip),
            Config("ort-parallel", "ONNX Runtime parallel (%d inter-op x 1)" % cores, "ort",
                   argv("parallel", 1, cores), skip)]
