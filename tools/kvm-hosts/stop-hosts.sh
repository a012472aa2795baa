#!/bin/bash
# Stop what start-hosts.sh started under $BASE: guests and daemons by PID,
# then the two network namespaces.
B=${BASE:?set BASE to the directory start-hosts.sh used}
pids=()
for n in 1 2; do
  # QEMU pid files have no trailing newline: read each file on its own.
  for f in "$B"/h$n/run/libvirt/qemu/*.pid; do
    [ -f "$f" ] && pids+=("$(cat "$f")")
  done
  [ -f "$B/h$n/libvirtd.pid" ] && pids+=("$(cat "$B/h$n/libvirtd.pid")")
done
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
for _ in $(seq 1 20); do
  alive=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  [ $alive = 0 ] && break
  sleep 0.25
done
for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
for n in 1 2; do ip netns del h$n 2>/dev/null; done
exit 0
