#!/usr/bin/env bash
# Installs every Debian package Ramiel needs to build, test and run (idempotent).
# Used by the README's commands, .ci/run and docker/Dockerfile alike, so CI proves the image's steps.
set -euo pipefail

PACKAGES=(
  # toolchain
  cmake ninja-build g++ pkg-config git ca-certificates curl
  # C++ libraries (see README: why each dependency is there)
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libonnx-dev libboost-dev nlohmann-json3-dev prometheus-cpp-dev libssl-dev libcli11-dev
  libgtest-dev libgmock-dev libseccomp-dev libhiredis-dev
  # Python side: generated programs, numeric tests, benchmarks
  python3 python3-torch python3-onnx python3-torchvision python3-numpy python3-pytest
  python3-matplotlib libopenblas0-openmp
  # the system tests' raw gRPC clients (stalled, truncated and abandoned uploads)
  python3-grpcio
  # references and tools the tests run for real
  libonnx-testdata prometheus
  redis-server  # the shared cache tier's tests run a real one on loopback
  openssl  # the CLI: test_security.py makes a throwaway CA and certificates
  python3-yaml  # test_deploy.py and test_security.py parse the manifests
)

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
