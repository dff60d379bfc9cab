#!/usr/bin/env bash
# Prepares this host for the sandbox's SSH machine backend (sandbox/vps_sandbox/machines_ssh.py):
# installs the host tools and builds, once, the cached Debian root every sandbox server boots from.
# Idempotent: a second run with everything in place only checks and exits.
#
# Environment:
#   SANDBOX_DEBIAN_SUITE   Debian suite of the cached root (default: trixie, Debian 13)
#   SANDBOX_DEBIAN_MIRROR  Debian mirror (default: the first Debian mirror in this host's apt sources)
#   SANDBOX_ROOTFS_CACHE   cache directory (default: /var/cache/vpsfleet-sandbox)
set -euo pipefail

started_at=$SECONDS
suite="${SANDBOX_DEBIAN_SUITE:-trixie}"
cache_dir="${SANDBOX_ROOTFS_CACHE:-/var/cache/vpsfleet-sandbox}"
rootfs="$cache_dir/rootfs-$suite"
host_packages=(openssh-server openssh-client debootstrap sshpass)
# What a first-boot hardening role and an Ansible run over SSH need inside each server.
root_packages=openssh-server,openssh-client,python3,python3-apt,sudo,iproute2,iputils-ping,procps,ca-certificates,ufw,nftables,unattended-upgrades,tzdata,locales,less

log() { printf '[sandbox-machines-setup] %s\n' "$*"; }
die() { printf '[sandbox-machines-setup] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and builds a root filesystem): sudo $0"

# One set-up at a time on a host: a second run (another checkout's `make test`) waits for the first
# and then finds everything in place, instead of running apt or debootstrap alongside it.
mkdir -p "$cache_dir"
exec 9>"$cache_dir/.setup.lock"
if ! flock -n 9; then
  log "another set-up is running on this host; waiting for it"
  flock 9
fi

# Debian mirror: the one this host already uses, so the servers reach the same (allowed) mirror.
host_debian_mirror() {
  local sources=() uri
  [ -f /etc/apt/sources.list ] && sources+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sources+=("$f")
  done
  [ "${#sources[@]}" -gt 0 ] || return 0
  uri=$(grep -hoE '(^URIs:[[:space:]]*|^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)[a-z]+://[^[:space:]]+' "${sources[@]}" \
          | grep -oE '[a-z]+://[^[:space:]]+' | grep -E '/debian/?$' | head -n1 || true)
  printf '%s' "${uri%/}"
}

host_debian_security_mirror() {
  # Active lines only: a commented snapshot URL must not win.
  grep -hvE '^[[:space:]]*#' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
    | grep -oE 'https?://[^[:space:]]+/debian-security/?' | head -n1 | sed 's:/$::' || true
}

missing_host_packages() {
  local pkg
  for pkg in "${host_packages[@]}"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || printf '%s\n' "$pkg"
  done
}

apt_lists_are_fresh() {
  # Fresh enough: some package index younger than a day.
  [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime -1 -print -quit 2>/dev/null)" ]
}

install_host_packages() {
  local missing
  mapfile -t missing < <(missing_host_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    log "host packages present: ${host_packages[*]}"
    return
  fi
  apt_lists_are_fresh || { log "apt-get update"; apt-get update -qq; }
  # The host's own sshd must not start: it would listen on port 22 of every address, including
  # the 127.0.0.x addresses the sandbox servers use. policy-rc.d stops the package from starting it.
  local own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=yes
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { [ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
  [ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d
  if printf '%s\n' "${missing[@]}" | grep -qx openssh-server && [ -d /run/systemd/system ]; then
    # Installed just now by this script, so nobody relies on it: keep it off across reboots too.
    systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
  fi
}

check_port_22_is_free_on_all_addresses() {
  local wildcard
  wildcard=$(ss -Hltn 'sport = :22' 2>/dev/null | awk '{print $4}' | grep -E '^(0\.0\.0\.0|\*|\[::\]):22$' || true)
  [ -z "$wildcard" ] || die "something listens on port 22 of every address ($wildcard), so sandbox servers cannot bind 127.0.0.x:22; stop that sshd or give it a ListenAddress (e.g. your LAN address)"
}

build_cached_root() {
  if [ -x "$rootfs/usr/sbin/sshd" ]; then
    log "cached root present: $rootfs"
    return
  fi
  local mirror security tmp
  mirror="${SANDBOX_DEBIAN_MIRROR:-$(host_debian_mirror)}"
  mirror="${mirror:-http://deb.debian.org/debian}"
  security="$(host_debian_security_mirror)"
  mkdir -p "$cache_dir"
  tmp=$(mktemp -d "$cache_dir/.rootfs-$suite.XXXXXX")
  # The build runs in a private mount namespace, so whatever debootstrap mounts cannot outlive it;
  # --one-file-system is a second guard against deleting through a leftover mount.
  trap 'rm -rf --one-file-system "$tmp"' EXIT
  chmod 755 "$tmp"

  local build_log="$cache_dir/rootfs-$suite.build.log"
  log "debootstrap $suite from $mirror (minbase + $root_packages), log: $build_log"
  if ! unshare --mount --propagation private \
      debootstrap --variant=minbase --include="$root_packages" "$suite" "$tmp" "$mirror" > "$build_log" 2>&1; then
    tail -n 20 "$build_log" >&2
    die "debootstrap failed (full log: $build_log)"
  fi

  log "configuring the root"
  # debootstrap keeps services from starting only while it runs. No init runs in a sandbox server,
  # and a daemon started by a package script would share the host's network: forbid it for good.
  printf '#!/bin/sh\n# Sandbox server: no init system, packages do not start services.\nexit 101\n' \
    > "$tmp/usr/sbin/policy-rc.d"
  chmod 755 "$tmp/usr/sbin/policy-rc.d"
  {
    printf 'deb %s %s main\n' "$mirror" "$suite"
    printf 'deb %s %s-updates main\n' "$mirror" "$suite"
    [ -n "$security" ] && printf 'deb %s %s-security main\n' "$security" "$suite"
  } > "$tmp/etc/apt/sources.list"
  # Root logs in with a password, as on a freshly ordered VPS. Set in the main file (not a drop-in
  # read first) so a hardening role that edits sshd_config really takes effect.
  sed -i -E 's/^#?PermitRootLogin .*/PermitRootLogin yes/; s/^#?PasswordAuthentication .*/PasswordAuthentication yes/' \
    "$tmp/etc/ssh/sshd_config"
  # Host keys and machine-id are made per server on its first boot.
  rm -f "$tmp"/etc/ssh/ssh_host_* "$tmp/etc/machine-id" "$tmp/etc/hostname"
  echo 'en_US.UTF-8 UTF-8' > "$tmp/etc/locale.gen"
  unshare --mount --propagation private chroot "$tmp" /usr/sbin/locale-gen >/dev/null
  unshare --mount --propagation private chroot "$tmp" apt-get clean
  rm -f "$tmp"/var/log/*.log

  mv -T "$tmp" "$rootfs"
  trap - EXIT
  log "cached root built: $rootfs ($(du -sh "$rootfs" | cut -f1))"
}

install_host_packages
check_port_22_is_free_on_all_addresses
build_cached_root
log "done in $((SECONDS - started_at)) s"
