#!/usr/bin/env bash
# Installs the Debian packages Ramiel needs (idempotent):
#   scripts/install-deps.sh build   what building ramiel-server and ramiel-client needs (the
#                                   image's build stage: -DRAMIEL_BUILD_TESTS=OFF)
#   scripts/install-deps.sh [all]   that, plus what the tests, the demo and the benchmarks run
# Used by the README's commands, .ci/run, scripts/demo.sh and docker/Dockerfile alike, so CI
# proves the image's steps. The build needs no Python: the runtime templates are embedded by CMake.
set -euo pipefail

BUILD_PACKAGES=(
  # toolchain
  cmake ninja-build g++ pkg-config
  # C++ libraries (see README: why each dependency is there)
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libonnx-dev libboost-dev nlohmann-json3-dev prometheus-cpp-dev libssl-dev libcli11-dev
  libseccomp-dev libhiredis-dev
)
TEST_PACKAGES=(
  git ca-certificates curl  # the demo scrapes /metrics with curl
  libgtest-dev libgmock-dev
  # Python side: generated programs, numeric tests, benchmarks
  python3 python3-torch python3-onnx python3-torchvision python3-numpy python3-pytest
  python3-matplotlib libopenblas0-openmp
  # kernels/: the native operators the generated programs load (torch's and oneDNN's headers)
  libtorch-dev libdnnl-dev
  # the system tests' raw gRPC clients (stalled, truncated and abandoned uploads)
  python3-grpcio
  # references and tools the tests run for real
  libonnx-testdata prometheus
  redis-server  # the shared cache tier's tests run a real one on loopback
  openssl  # the CLI: test_security.py makes a throwaway CA and certificates
  python3-yaml  # test_deploy.py and test_security.py parse the manifests
)

case "${1:-all}" in
  build) PACKAGES=("${BUILD_PACKAGES[@]}") ;;
  all) PACKAGES=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}") ;;
  *) echo "usage: scripts/install-deps.sh [build|all]" >&2; exit 2 ;;
esac

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
