#!/usr/bin/env bash
# Build a Debian 12 (bookworm) Vagrant box for the libvirt provider from Debian packages alone.
#
# A box is nothing more than a disk image plus a little metadata, packed in a tar file:
#   box.img        the VM's disk (qcow2), a bootable Debian with a `vagrant` user
#   metadata.json  which provider the image is for and its format
# Vagrant Cloud only hosts such files; `vagrant box add NAME FILE.box` registers one locally under
# a name, and a Vagrantfile then refers to that name. This script makes the same kind of box as
# `debian/bookworm64` when Vagrant Cloud is out of reach (offline laptops, CI).
#
# Usage: sudo vagrant/box/build-box.sh OUTPUT.box [EXTRA_PACKAGE ...]
#   EXTRA_PACKAGE  Debian packages to bake into the image, e.g. the ones the Ansible roles
#                  install, so that a VM with no route out can still be provisioned.
#   DEBIAN_MIRROR  (environment) the mirror to install from; by default the one this machine's
#                  apt uses.
# Needs root, debootstrap, e2fsprogs, extlinux (package `extlinux`) and qemu-img (`qemu-utils`).
set -euo pipefail

if [[ $# -lt 1 || $1 == -* ]]; then
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
fi
output=$(realpath -m "$1")
shift
extra_packages=("$@")
[[ $(id -u) -eq 0 ]] || { echo "build-box.sh: run as root (debootstrap and mount need it)" >&2; exit 1; }

# The mirror this machine's apt already uses: deb822 sources first, then the classic format.
apt_mirror() {
    local uri
    uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1)
    [[ -n $uri ]] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n1)
    echo "$uri"
}
mirror=${DEBIAN_MIRROR:-$(apt_mirror)}
[[ -n $mirror ]] || { echo "build-box.sh: no Debian mirror in the apt sources; set DEBIAN_MIRROR" >&2; exit 1; }

# Vagrant's well-known insecure key pair: `vagrant up` logs in with it once, then replaces it
# with a key generated for that VM. Taken from the installed Vagrant rather than copied here.
insecure_key=$(compgen -G '/usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub' ||
    compgen -G '/opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub' || true)
insecure_key=${insecure_key%%$'\n'*}
[[ -r $insecure_key ]] || { echo "build-box.sh: Vagrant's keys/vagrant.pub not found; install vagrant" >&2; exit 1; }

work=$(mktemp -d)
rootfs=$work/rootfs
cleanup() {
    mountpoint -q "$work/mnt" && umount "$work/mnt"
    rm -rf "$work"
}
trap cleanup EXIT

# 1. A Debian system in a folder: a kernel, systemd, SSH, sudo, Python (Ansible needs it on the
#    target), DHCP networking (ifupdown + dhclient, which Vagrant's Debian guest support drives)
#    and rsync (the Vagrantfile's synced folder).
packages=(linux-image-amd64 systemd-sysv openssh-server sudo python3 ifupdown isc-dhcp-client
    iproute2 procps rsync "${extra_packages[@]}")
debootstrap --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" bookworm "$rootfs" "$mirror"

# 2. What makes it a Vagrant box: a `vagrant` user with passwordless sudo and the insecure key.
chroot "$rootfs" useradd --create-home --shell /bin/bash vagrant
echo 'vagrant ALL=(ALL) NOPASSWD: ALL' > "$rootfs/etc/sudoers.d/vagrant"
chmod 0440 "$rootfs/etc/sudoers.d/vagrant"
install -d -m 0700 -o 1000 -g 1000 "$rootfs/home/vagrant/.ssh"
install -m 0600 -o 1000 -g 1000 "$insecure_key" "$rootfs/home/vagrant/.ssh/authorized_keys"

# 3. Boot and network settings for a virtio disk and NIC. Classic names (eth0) keep the
#    interface name independent of the virtual hardware.
echo stackplan-box > "$rootfs/etc/hostname"
echo 'LABEL=root / ext4 errors=remount-ro 0 1' > "$rootfs/etc/fstab"
cat > "$rootfs/etc/network/interfaces" <<'EOF'
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

allow-hotplug eth0
iface eth0 inet dhcp
EOF
echo 'UseDNS no' > "$rootfs/etc/ssh/sshd_config.d/10-vagrant.conf"

# 4. Nothing that must be unique per VM is baked in: SSH host keys are generated on first boot,
#    and an empty machine-id makes systemd create one (the DHCP client id derives from it).
rm -f "$rootfs"/etc/ssh/ssh_host_*
cat > "$rootfs/etc/systemd/system/ssh-host-keys.service" <<'EOF'
[Unit]
Description=Generate SSH host keys on first boot
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
EOF
chroot "$rootfs" systemctl enable ssh-host-keys.service
: > "$rootfs/etc/machine-id"
chroot "$rootfs" apt-get clean

# 5. The disk: one ext4 filesystem without a partition table, filled straight from the folder,
#    booted by extlinux (which reads ext4 without the newer 64bit/metadata_csum/orphan_file
#    features). qcow2 then stores only the blocks in use.
kernel=$(cd "$rootfs/boot" && ls vmlinuz-* | sort -V | tail -n1)
mkdir -p "$rootfs/boot/extlinux"
cat > "$rootfs/boot/extlinux/extlinux.conf" <<EOF
DEFAULT debian
TIMEOUT 1
LABEL debian
    LINUX /boot/$kernel
    INITRD /boot/initrd.img-${kernel#vmlinuz-}
    APPEND root=LABEL=root rw net.ifnames=0 console=ttyS0
EOF
truncate -s 8G "$work/disk.raw"
mkfs.ext4 -q -L root -O ^64bit,^metadata_csum,^orphan_file -d "$rootfs" "$work/disk.raw"
mkdir "$work/mnt"
mount -o loop "$work/disk.raw" "$work/mnt"
extlinux --install "$work/mnt/boot/extlinux" > /dev/null 2>&1
umount "$work/mnt"
qemu-img convert -O qcow2 "$work/disk.raw" "$work/box.img"

# 6. The box itself.
echo '{"provider": "libvirt", "format": "qcow2", "virtual_size": 8}' > "$work/metadata.json"
mkdir -p "$(dirname "$output")"
tar -C "$work" -cf "$output.partial" metadata.json box.img
mv "$output.partial" "$output"
echo "built $output; register it with: vagrant box add --name NAME $output"
