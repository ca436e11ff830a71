"""docker/Dockerfile stays buildable and small without a Docker engine: its layers come in the right
order, its build stage needs only `scripts/install-deps.sh build`, every library the installed
binaries load comes from a runtime package it lists, and its version label is the project's."""
import os
import re
import subprocess

import pytest

from ramiel_harness import binary

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
# Objects of these folders are not part of the installed binaries.
# Objects the image never builds: kernels/ is built only where the test set's libtorch-dev and
# libdnnl-dev are installed (the operator library is for the machines that run the programs).
NOT_SHIPPED = ("tests/", "bench/", "fuzz/", "kernels/")


def build_dir():
    """The build tree under test: the one whose ramiel-server ctest runs (BUILD/server/...)."""
    return os.environ.get("RAMIEL_BUILD_DIR") or os.path.dirname(
        os.path.dirname(binary("RAMIEL_SERVER")))


def run(*command, **kwargs):
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          timeout=600, **kwargs)


def dockerfile_stages():
    """[[(INSTRUCTION, arguments), ...] per FROM], continuation lines joined, comments dropped."""
    with open(os.path.join(ROOT, "docker", "Dockerfile")) as f:
        text = re.sub(r"\\\n", " ", f.read())
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), " ".join(arguments.split())))
    return stages


def runtime_packages():
    """The packages the runtime stage installs with apt-get."""
    runs = [arguments for instruction, arguments in dockerfile_stages()[-1] if instruction == "RUN"]
    install = next(arguments for arguments in runs if "apt-get install" in arguments)
    words = install.split("apt-get install", 1)[1].split("&&", 1)[0].split()
    return [word for word in words if not word.startswith("-")]


def install_deps_set(name):
    """The packages `scripts/install-deps.sh` lists in its bash array NAME."""
    with open(os.path.join(ROOT, "scripts", "install-deps.sh")) as f:
        body = re.search(name + r"=\((.*?)\n\)", f.read(), re.S).group(1)
    return [word for line in body.splitlines() for word in line.split("#", 1)[0].split()]


def dependency_closure(packages):
    """`packages` and everything they depend on (Depends and Pre-Depends, recursively)."""
    out = run("apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
              "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *packages)
    assert out.returncode == 0, out.stderr
    names = set()
    for line in out.stdout.splitlines():
        name = line.split(":", 1)[1] if ":" in line else line
        name = name.strip().strip("|").strip()
        if name and not name.startswith("<"):
            names.add(name.split(":")[0])  # drop an architecture qualifier
    return names


def owning_packages(paths):
    """path -> the Debian package that installed it (`dpkg -S`); usr-merged paths tried both ways."""
    owners = {}
    for path in paths:
        candidates = [path, os.path.realpath(path)]
        for candidate in list(candidates):
            if candidate.startswith("/usr/lib/"):
                candidates.append(candidate[len("/usr"):])
            elif candidate.startswith("/lib/"):
                candidates.append("/usr" + candidate)
        for candidate in candidates:
            out = run("dpkg", "-S", candidate)
            if out.returncode == 0:
                # "libfoo1:amd64: /lib/x86_64-linux-gnu/libfoo.so.1"; diversions aside.
                owners[path] = out.stdout.splitlines()[0].split(":")[0].split(",")[0].strip()
                break
        assert path in owners, f"no Debian package owns {path}"
    return owners


def test_dependency_layer_comes_before_the_sources():
    build = dockerfile_stages()[0]
    assert build[0][0] == "FROM" and build[0][1].startswith("debian:bookworm")
    copies = [i for i, (instruction, _) in enumerate(build) if instruction == "COPY"]
    # The first COPY brings only the package script, so that the package layer is cached
    # across source changes; its RUN comes before the sources are copied.
    assert build[copies[0]][1] == "scripts/install-deps.sh scripts/"
    sources = build.index(("COPY", ". ."))
    deps = build.index(("RUN", "scripts/install-deps.sh build"))
    assert copies[0] < deps < sources
    # After the sources: exactly the CI build script, no tests, a stripped install.
    after = [arguments for instruction, arguments in build[sources + 1:] if instruction == "RUN"]
    assert len(after) == 1
    assert after[0].startswith("scripts/build.sh /build -DRAMIEL_BUILD_TESTS=OFF")
    assert re.search(r"&& cmake --install /build --prefix (\S+) --strip$", after[0])
    # Both scripts are the ones CI runs (scripts/test.sh).
    with open(os.path.join(ROOT, "scripts", "test.sh")) as f:
        ci = f.read()
    assert "scripts/install-deps.sh" in ci and "scripts/build.sh" in ci


def test_build_only_packages_leave_out_the_test_packages():
    build_set, everything = install_deps_set("BUILD_PACKAGES"), install_deps_set("TEST_PACKAGES")
    assert "libgrpc++-dev" in build_set and "libhiredis-dev" in build_set
    for test_only in ["libgtest-dev", "libgmock-dev", "python3-torch", "redis-server",
                      "prometheus", "libonnx-testdata"]:
        assert test_only in everything and test_only not in build_set, test_only


def test_build_only_mode_configures_without_test_packages(tmp_path):
    # GoogleTest and Python are found only for the tests: forbid both and configure like the image.
    out = run("cmake", "-S", ROOT, "-B", tmp_path / "build", "-DRAMIEL_BUILD_TESTS=OFF",
              "-DRAMIEL_BUILD_BENCH=OFF", "-DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON",
              "-DCMAKE_DISABLE_FIND_PACKAGE_Python3=ON", "-DRAMIEL_PYTHON=/nonexistent/python3")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


def test_build_only_packages_provide_every_header_the_binaries_include():
    """Every system header a shipped object was compiled with (ninja's dependency log) belongs to
    a package that `scripts/install-deps.sh build` installs, directly or as a dependency."""
    if not os.path.exists(os.path.join(build_dir(), "build.ninja")):
        pytest.skip("needs a Ninja build tree (scripts/build.sh) for its dependency log")
    out = run("ninja", "-C", build_dir(), "-t", "deps")
    assert out.returncode == 0, out.stderr
    headers, shipped = set(), False
    for line in out.stdout.splitlines():
        if not line.startswith(" "):
            shipped = bool(line.strip()) and not line.startswith(NOT_SHIPPED)
        elif shipped and line.strip().startswith("/usr/"):
            headers.add(os.path.normpath(line.strip()))
    assert len(headers) > 100, "the dependency log lists too few system headers"
    owners = {}
    found = run("dpkg", "-S", *sorted(headers))
    for line in found.stdout.splitlines():
        package, _, path = line.partition(": ")
        owners[path.strip()] = package.split(":")[0].split(",")[0].strip()
    unowned = sorted(headers - set(owners))
    assert not unowned, f"headers no package owns: {unowned[:10]}"
    allowed = dependency_closure(install_deps_set("BUILD_PACKAGES"))
    outside = sorted({f"{package} ({path})" for path, package in owners.items()
                      if package not in allowed})
    assert not outside, f"the build includes headers from packages outside the build set: {outside}"


def test_runtime_packages_exist_in_debian():
    packages = runtime_packages()
    assert "libgrpc++1.51" in packages and "ca-certificates" in packages
    for package in packages:
        out = run("apt-cache", "show", "--no-all-versions", package)
        assert out.returncode == 0 and f"Package: {package}" in out.stdout, package


def test_installed_binaries_are_stripped_and_load_only_runtime_package_libraries(tmp_path):
    prefix = tmp_path / "prefix"
    out = run("cmake", "--install", build_dir(), "--prefix", prefix, "--strip")
    assert out.returncode == 0, out.stderr
    binaries = sorted((prefix / "bin").iterdir())
    assert [b.name for b in binaries] == ["ramiel-client", "ramiel-compile-worker", "ramiel-server"]
    libraries = set()
    for path in binaries:
        sections = run("readelf", "-S", "-W", path)
        assert sections.returncode == 0, sections.stderr
        assert ".symtab" not in sections.stdout and ".debug_info" not in sections.stdout, path
        linked = run("ldd", path)
        assert linked.returncode == 0, linked.stderr
        assert "not found" not in linked.stdout, linked.stdout
        libraries.update(re.findall(r"=> (/\S+)", linked.stdout))
    assert any("libgrpc++" in library for library in libraries)
    allowed = dependency_closure(runtime_packages())
    outside = sorted(f"{library} ({package})" for library, package in
                     owning_packages(sorted(libraries)).items() if package not in allowed)
    assert not outside, f"libraries no runtime package of the Dockerfile provides: {outside}"


def test_version_label_is_the_cmake_project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        version = re.search(r"project\(ramiel VERSION (\S+)", f.read()).group(1)
    runtime = dockerfile_stages()[-1]
    assert ("ARG", f"RAMIEL_VERSION={version}") in runtime
    labels = " ".join(arguments for instruction, arguments in runtime if instruction == "LABEL")
    assert 'org.opencontainers.image.version="${RAMIEL_VERSION}"' in labels
    # And the binaries built from this tree say the same version.
    reported = run(binary("RAMIEL_CLIENT"), "--version")
    assert reported.stdout.startswith(f"ramiel-client {version}+"), reported.stdout
