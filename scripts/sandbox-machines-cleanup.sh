#!/usr/bin/env bash
# Removes what the sandbox's SSH machines leave behind when the sandbox was killed without a clean
# shutdown: kills every machine (its init takes the whole machine down) and deletes their disks.
#
#   scripts/sandbox-machines-cleanup.sh                 machines and their disks
#   scripts/sandbox-machines-cleanup.sh --purge-cache   also the cached server root (rebuilt by setup)
#
# Environment: VPS_SANDBOX_MACHINES_DIR (default /var/lib/vpsfleet-sandbox/machines),
#              SANDBOX_ROOTFS_CACHE (default /var/cache/vpsfleet-sandbox).
set -euo pipefail

machines_dir="${VPS_SANDBOX_MACHINES_DIR:-/var/lib/vpsfleet-sandbox/machines}"
cache_dir="${SANDBOX_ROOTFS_CACHE:-/var/cache/vpsfleet-sandbox}"
init_marker='machines_ssh.py --machine-init'

log() { printf '[sandbox-machines-cleanup] %s\n' "$*"; }
die() { printf '[sandbox-machines-cleanup] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root: sudo $0"
purge_cache=""
case "${1:-}" in
  "") ;;
  --purge-cache) purge_cache=yes ;;
  *) die "unknown argument: $1 (only --purge-cache)" ;;
esac

# SIGKILL to a machine's init (PID 1 of its PID namespace) kills every process of that machine,
# and its private mounts vanish with the last of them.
mapfile -t machine_pids < <(pgrep -f -- "$init_marker" || true)
if [ "${#machine_pids[@]}" -gt 0 ]; then
  log "killing ${#machine_pids[@]} machine processes"
  kill -KILL "${machine_pids[@]}" 2>/dev/null || true
  for _ in $(seq 50); do
    pgrep -f -- "$init_marker" >/dev/null || break
    sleep 0.1
  done
  ! pgrep -f -- "$init_marker" >/dev/null || die "machine processes still running: $(pgrep -f -- "$init_marker" | tr '\n' ' ')"
fi

if [ -d "$machines_dir" ]; then
  # The machines mount only inside their own namespaces; a mount here was made by hand.
  if findmnt -rn -o TARGET | grep -qF "$machines_dir/"; then
    die "something is mounted under $machines_dir in the host; unmount it first"
  fi
  rm -rf --one-file-system "$machines_dir"
  log "removed $machines_dir"
fi

if [ -n "$purge_cache" ] && [ -d "$cache_dir" ]; then
  rm -rf --one-file-system "$cache_dir"
  log "removed $cache_dir"
fi
log "clean"
