#!/bin/bash
# Build $BASE/boot.img: a 1 MiB raw disk whose boot sector (dirty.S)
# dirties guest memory forever. Needs as and ld (binutils).
set -euo pipefail
B=${BASE:?set BASE to a scratch directory}
HERE=$(cd "$(dirname "$0")" && pwd)
for tool in as ld; do
  command -v $tool >/dev/null || { echo "$tool not found: apt-get install binutils" >&2; exit 1; }
done
mkdir -p "$B"
as --32 -I "$HERE" -o "$B/dirty.o" "$HERE/dirty.S"
ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o "$B/boot.bin" "$B/dirty.o"
dd if=/dev/zero of="$B/boot.img" bs=1M count=1 status=none
dd if="$B/boot.bin" of="$B/boot.img" conv=notrunc status=none
echo "$B/boot.img"
