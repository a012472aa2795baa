#!/bin/bash
# Start two isolated libvirtd "hosts" on this machine, each in its own
# network, mount and UTS namespace (see shared/reference/kvm-two-hosts.md):
#   h1 = 10.77.0.1 (netns h1), h2 = 10.77.0.2 (netns h2), on a veth pair,
#   libvirtd listening on plain TCP without auth: qemu+tcp://10.77.0.N/system
# Each daemon's /etc/libvirt, /run, /var/lib/libvirt, /var/cache/libvirt,
# /var/log/libvirt and /etc/hosts come from $BASE/hN. Needs root.
# Stop with stop-hosts.sh and the same BASE.
set -euo pipefail
B=${BASE:?set BASE to a scratch directory}
mkdir -p "$B"
for n in 1 2; do
  if ip netns list | grep -qw "h$n"; then
    echo "netns h$n already exists (a previous run left it?): stop it" \
         "with BASE=<its base> $(dirname "$0")/stop-hosts.sh" >&2
    exit 1
  fi
done
ip netns add h1
ip netns add h2
ip link add vh1 type veth peer name vh2
ip link set vh1 netns h1
ip link set vh2 netns h2
ip -n h1 addr add 10.77.0.1/24 dev vh1
ip -n h2 addr add 10.77.0.2/24 dev vh2
for n in 1 2; do
  ip -n h$n link set lo up
  ip -n h$n link set vh$n up
done

for n in 1 2; do
  H=$B/h$n
  rm -rf "$H"
  mkdir -p "$H/etc/qemu" "$H/run/libvirt" "$H/lib/qemu" "$H/cache" \
           "$H/log/qemu"
  # Distinct host_uuid: libvirt's same-host check compares only that.
  cat > "$H/etc/libvirtd.conf" <<EOC
listen_tls = 0
listen_tcp = 1
auth_tcp = "none"
listen_addr = "10.77.0.$n"
host_uuid = "00000000-0000-4000-8000-00000000000$n"
log_filters = "1:qemu.qemu_migration 1:qemu.qemu_monitor 1:hypervisor 1:qemu.qemu_domain"
log_outputs = "1:file:/var/log/libvirt/libvirtd.log"
EOC
  # No systemd, cgroups or virtlogd here: QEMU runs as root, logs to files.
  cat > "$H/etc/qemu.conf" <<EOC
security_driver = "none"
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
migration_address = "10.77.0.$n"
EOC
  printf '10.77.0.1 h1\n10.77.0.2 h2\n127.0.0.1 localhost\n' > "$H/hosts"
  ip netns exec h$n unshare -m -u --propagation private bash -c "
    hostname h$n
    mount --bind $H/etc /etc/libvirt
    mount --bind $H/run /run
    mount --bind $H/lib /var/lib/libvirt
    mount --bind $H/cache /var/cache/libvirt
    mount --bind $H/log /var/log/libvirt
    mount --bind $H/hosts /etc/hosts
    exec /usr/sbin/libvirtd -l -f /etc/libvirt/libvirtd.conf" \
    > "$H/daemon.out" 2>&1 &
  echo $! > "$H/libvirtd.pid"
done

# Wait until both daemons answer (instead of a fixed sleep).
for n in 1 2; do
  for _ in $(seq 1 60); do
    if ip netns exec h$n virsh -c qemu+tcp://10.77.0.$n/system hostname \
         >/dev/null 2>&1; then
      continue 2
    fi
    sleep 0.5
  done
  echo "libvirtd of h$n did not answer; see $B/h$n/daemon.out and" \
       "$B/h$n/log/libvirtd.log" >&2
  exit 1
done
echo "h1 and h2 are up (BASE=$B)"
