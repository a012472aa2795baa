#!/bin/bash
# Build $BASE/idle.img: a raw disk whose boot sector (idle.S) does nothing,
# followed by DATA_MIB MiB (default 128) of non-zero filler, so that a
# local disk made from it (a flavor with a root disk, [libvirt]
# local_disk_dir) gives a block migration real bytes to copy. Needs as
# and ld (binutils).
set -euo pipefail
B=${BASE:?set BASE to a scratch directory}
DATA_MIB=${DATA_MIB:-128}
HERE=$(cd "$(dirname "$0")" && pwd)
for tool in as ld; do
  command -v $tool >/dev/null || { echo "$tool not found: apt-get install binutils" >&2; exit 1; }
done
mkdir -p "$B"
as --32 -I "$HERE" -o "$B/idle.o" "$HERE/idle.S"
ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o "$B/idle.bin" "$B/idle.o"
# Non-zero filler (zero blocks might be skipped by the copy).
# (yes through a process substitution: its SIGPIPE is no failure.)
{ cat "$B/idle.bin"; head -c $((DATA_MIB * 1024 * 1024)) < <(yes MIGRATOR-LOCAL-DISK); } > "$B/idle.img"
echo "$B/idle.img"
