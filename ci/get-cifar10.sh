#!/usr/bin/env bash
# Downloads the official CIFAR-10 binary release and verifies its md5 before unpacking.
# Usage: ci/get-cifar10.sh DEST   (unpacks DEST/cifar-10-batches-bin)
set -euo pipefail
dest=${1:-data}
url=https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
md5=c32a1d4ab5d03f1284b67883e8d87530
if [ -f "$dest/cifar-10-batches-bin/test_batch.bin" ]; then
  echo "get-cifar10: $dest/cifar-10-batches-bin already present"
  exit 0
fi
mkdir -p "$dest"
tmp="$dest/cifar-10-binary.tar.gz.part"
if ! curl -fL --retry 3 -o "$tmp" "$url"; then
  rm -f "$tmp"
  echo "get-cifar10: cannot download $url (offline?). Point TNN_DATA_DIR at a copy of" >&2
  echo "  cifar-10-batches-bin (official layout), or pass --data to tnn." >&2
  exit 1
fi
got=$(md5sum "$tmp" | cut -d' ' -f1)
if [ "$got" != "$md5" ]; then
  rm -f "$tmp"
  echo "get-cifar10: md5 mismatch for $url: got $got, expected $md5" >&2
  exit 1
fi
tar -xzf "$tmp" -C "$dest"
rm -f "$tmp"
echo "get-cifar10: unpacked the official CIFAR-10 into $dest/cifar-10-batches-bin"
