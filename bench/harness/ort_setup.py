"""ONNX Runtime's CPU build for Node.js (onnxruntime-node from the npm registry), installed on
demand into the work directory and checked by loading its native binding."""
import os
import shutil
import subprocess

ORT_VERSION = "1.22.0"  # its napi-v6 CPU binding loads with Node 20 on Debian bookworm
BINDING = os.path.join("bin", "napi-v6", "linux", "x64", "onnxruntime_binding.node")


def _package_dir(prefix):
    return os.path.join(prefix, "node_modules", "onnxruntime-node")


def _loads(node, package):
    check = "require(%r); console.log('ok')" % os.path.abspath(package)
    done = subprocess.run([node, "-e", check], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120)
    return done.returncode == 0, done.stderr.strip().splitlines()[-1:] or [""]


def ensure_ort(prefix, install=True, log=print):
    """(package dir, None) when onnxruntime-node is usable under `prefix`, else (None, reason).
    Installs it with `npm install --ignore-scripts` when missing and `install` is set."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        return None, "node is not installed"
    package = _package_dir(prefix)
    if not os.path.exists(os.path.join(package, BINDING)):
        if not install:
            return None, "onnxruntime-node is not installed in %s" % prefix
        if npm is None:
            return None, "npm is not installed"
        os.makedirs(prefix, exist_ok=True)
        log("installing onnxruntime-node@%s into %s" % (ORT_VERSION, prefix))
        try:
            done = subprocess.run(
                [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", "--fetch-retries=1",
                 "--fetch-timeout=60000", "--prefix",
                 prefix, "onnxruntime-node@" + ORT_VERSION],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            return None, "npm install timed out"
        if done.returncode != 0 or not os.path.exists(os.path.join(package, BINDING)):
            return None, "npm install failed: %s" % done.stdout.strip().splitlines()[-1:]
    ok, error = _loads(node, package)
    if not ok:
        return None, "onnxruntime-node does not load: %s" % error[0]
    return package, None
