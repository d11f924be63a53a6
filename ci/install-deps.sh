#!/usr/bin/env bash
# Installs every Debian package ternary-bench needs. Shared by .ci/run, the Makefile's set-up step
# and docker/Dockerfile.cpu, so a fresh Debian 12 machine and the containers get the same set.
# Idempotent: a machine that already has everything pays ~1 s (dpkg query only).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build git ca-certificates
  libtorch-dev            # LibTorch 1.13 (CPU): training library
  libdnnl-dev             # oneDNN 2.6: dense CPU baselines
  ocl-icd-opencl-dev      # required by oneDNN's CMake config (Debian builds it with OpenCL)
  catch2                  # Catch2 v2 + Catch2WithMain
  nlohmann-json3-dev      # JSON
  libbenchmark-dev        # Google Benchmark
  libcli11-dev            # CLI11 (the tnn command line)
  python3-matplotlib      # plots in results/plots
  python3-torch           # PyTorch 1.13 (same build as libtorch-dev): the torch.ops.tnn test
  python3-numpy           # .npy exchange in that test
  lld                     # faster links of LibTorch programs
  clang-format            # ci/check-format.sh (git clang-format)
  libssl-dev              # MD5 of dataset files (OpenSSL EVP)
  libjpeg62-turbo-dev     # ImageNet JPEG decoding (libjpeg-turbo: DCT scaling, crop decoding)
  libopencv-imgcodecs-dev # ImageNet: odd files (CMYK JPEG, PNG named .JPEG) and resizing
  python3-pil python3-numpy  # ci/make-imagefolder.py (the JPEG test folder)
  python3-torchvision     # torchvision round-trip test and the bench-data peer
  libgloo-dev             # Gloo headers for torch c10d's ProcessGroupGloo (data-parallel training)
  slurm-wlm munge         # the single-node Slurm of the CI test ci/slurm-test.sh (its daemons are
                          # started and stopped by that script; on a systemd machine the packages
                          # also install services, which need a cluster's configuration to run)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
