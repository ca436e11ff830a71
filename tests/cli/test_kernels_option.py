"""compile --kernels: Ramiel's native operator library placed beside model.py, where the
program's runtime finds it without any setting (kernels/README.md)."""
import os
import subprocess
import sys

import pytest

import small_models
from conftest import client_path

PLACED = "libramiel_kernels.so"
EXIT_USAGE = 2


def built_library():
    """The library built beside this ramiel-client (BUILD/kernels/), else None."""
    path = os.path.join(os.path.dirname(client_path()), os.pardir, "kernels", PLACED)
    return os.path.normpath(path) if os.path.exists(path) else None


def test_a_named_library_is_placed_beside_the_program(compile_model, tmp_path):
    library = tmp_path / "libother.so"
    library.write_bytes(b"the library's bytes")
    out = compile_model(small_models.chain(tmp_path / "chain.onnx"), "--kernels", library)
    assert out.returncode == 0, out.stderr
    assert out.file(PLACED) == b"the library's bytes"
    assert "native operators: %s" % os.path.join(out.out_dir, PLACED) in out.stdout


def test_a_recompile_replaces_the_library_and_leaves_no_temporary_file(tmp_path):
    model = small_models.chain(tmp_path / "chain.onnx")
    out_dir = tmp_path / "out"
    for version in (b"first", b"second", b"second"):  # the last: already the same file
        library = tmp_path / "lib.so"
        library.write_bytes(version)
        done = subprocess.run([client_path(), "compile", str(model), "-o", str(out_dir), "--local",
                               "-q", "--kernels", str(library)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert (out_dir / PLACED).read_bytes() == version
    assert sorted(os.listdir(out_dir)) == sorted(
        ["graph.dot", "model.py", "ramiel_runtime.py", "schedule.json", PLACED])


def test_off_places_nothing(compile_model, tmp_path):
    out = compile_model(small_models.chain(tmp_path / "chain.onnx"), "--kernels", "off")
    assert out.returncode == 0, out.stderr
    assert not os.path.exists(os.path.join(out.out_dir, PLACED))
    assert "native operators" not in out.stdout


def test_a_compile_without_the_library_removes_one_placed_before(tmp_path):
    """Else the program would still load the library an earlier compile put beside it."""
    model = small_models.chain(tmp_path / "chain.onnx")
    out_dir = tmp_path / "out"
    library = tmp_path / "lib.so"
    library.write_bytes(b"library")
    base = [client_path(), "compile", str(model), "-o", str(out_dir), "--local"]
    assert subprocess.run(base + ["--kernels", str(library)], capture_output=True).returncode == 0
    assert (out_dir / PLACED).exists()
    done = subprocess.run(base + ["--kernels", "off"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not (out_dir / PLACED).exists()
    assert "removed %s" % (out_dir / PLACED) in done.stdout
    assert library.read_bytes() == b"library"  # a hard link's other name is left alone


def test_auto_finding_no_library_leaves_one_put_there_by_hand(tmp_path):
    """A client with no library beside it (a copy of it elsewhere) must not delete a library a
    user copied into the program's directory for the device."""
    import shutil
    client = tmp_path / "bin" / "ramiel-client"
    client.parent.mkdir()
    shutil.copy2(client_path(), client)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / PLACED).write_bytes(b"built for the device")
    done = subprocess.run([str(client), "compile", str(small_models.chain(tmp_path / "c.onnx")),
                           "-o", str(out_dir), "--local"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (out_dir / PLACED).read_bytes() == b"built for the device"
    assert "native operators" not in done.stdout


def test_a_missing_library_is_a_usage_error_before_anything_is_written(compile_model, tmp_path):
    out = compile_model(small_models.chain(tmp_path / "chain.onnx"), "--kernels",
                        tmp_path / "absent.so")
    assert out.returncode == EXIT_USAGE
    assert "--kernels" in out.stderr and "absent.so" in out.stderr
    assert not os.path.exists(out.out_dir)


def test_by_default_the_program_runs_on_the_library_built_with_the_client(compile_model,
                                                                          tmp_path):
    """The user's path: compile with no option, run model.py with no setting."""
    library = built_library()
    model = small_models.chain(tmp_path / "chain.onnx")
    out = compile_model(model)
    assert out.returncode == 0, out.stderr
    placed = os.path.join(out.out_dir, PLACED)
    if library is None:
        assert not os.path.exists(placed)  # nothing built beside the client: nothing placed
        pytest.skip("libramiel_kernels.so is not built here")
    with open(library, "rb") as f:
        assert out.file(PLACED) == f.read()
    assert "native operators: %s (from %s)" % (placed, library) in out.stdout
    script = ("import importlib.util, sys\n"
              "spec = importlib.util.spec_from_file_location('m', sys.argv[1])\n"
              "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
              "print(m.ramiel.NATIVE_KERNELS)\n")
    environment = {k: v for k, v in os.environ.items() if k != "RAMIEL_KERNELS"}
    done = subprocess.run([sys.executable, "-c", script, os.path.join(out.out_dir, "model.py")],
                          capture_output=True, text=True, env=environment, timeout=300)
    assert done.returncode == 0, done.stderr
    assert os.path.samefile(done.stdout.strip(), placed), done.stdout


def test_an_installed_client_places_the_library_installed_with_it(tmp_path):
    """`cmake --install`'s layout: PREFIX/bin/ramiel-client finds PREFIX/lib*/ramiel/."""
    if built_library() is None:
        pytest.skip("libramiel_kernels.so is not built here")
    import shutil
    prefix = tmp_path / "prefix"
    build_dir = os.path.dirname(os.path.dirname(client_path()))
    try:
        installed = subprocess.run(["cmake", "--install", build_dir, "--prefix", str(prefix)],
                                   capture_output=True, text=True, timeout=300)
        assert installed.returncode == 0, installed.stderr
        library, = [os.path.join(root, PLACED) for root, _, files in os.walk(prefix)
                    if PLACED in files]
        model = small_models.chain(tmp_path / "chain.onnx")
        done = subprocess.run([str(prefix / "bin" / "ramiel-client"), "compile", str(model),
                               "-o", str(tmp_path / "out"), "--local"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "(from %s)" % os.path.normpath(library) in done.stdout
        with open(library, "rb") as f:
            assert (tmp_path / "out" / PLACED).read_bytes() == f.read()
    finally:
        shutil.rmtree(prefix, ignore_errors=True)  # the whole install: some hundred MB
