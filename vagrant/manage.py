"""Drive the development VM from Python with python-vagrant: what `make up` and `make down` run.

    python vagrant/manage.py up        # create or start the VM, provision it, print the app's URL
    python vagrant/manage.py status    # the VM's state, and the URL while it runs
    python vagrant/manage.py down      # stop the VM; its disk stays, so the next `up` is quick
    python vagrant/manage.py destroy   # delete the VM and its disk

The settings are the Vagrantfile's (config.yml, config.local.yml, STACKPLAN_VM_*); this script
adds none. python-vagrant runs the `vagrant` command in this folder and parses its output.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import vagrant
import yaml

HERE = Path(__file__).resolve().parent


def machine() -> vagrant.Vagrant:
    # Vagrant's own progress output goes to this terminal: `up` takes minutes.
    return vagrant.Vagrant(root=str(HERE), quiet_stdout=False, quiet_stderr=False)


def app_url() -> str:
    """The app's address on this machine: the Vagrantfile's app_host_port on 127.0.0.1.

    Read through the same three layers as the Vagrantfile (the libvirt provider cannot answer
    `vagrant port`): config.yml, then config.local.yml, then STACKPLAN_VM_APP_HOST_PORT.
    """
    port = yaml.safe_load((HERE / "config.yml").read_text())["app_host_port"]
    local = HERE / "config.local.yml"
    if local.exists():
        port = (yaml.safe_load(local.read_text()) or {}).get("app_host_port", port)
    port = os.environ.get("STACKPLAN_VM_APP_HOST_PORT") or port
    return f"http://127.0.0.1:{port}"


def up() -> None:
    # --provision also on a VM that already exists, so `make up` always applies the playbook.
    machine().up(provision=True)
    print(f"The app answers on {app_url()}")


def status() -> None:
    for vm in machine().status():
        print(f"{vm.name}: {vm.state} ({vm.provider})")
        if vm.state == vagrant.Vagrant.RUNNING:
            print(f"  app: {app_url()}")


def down() -> None:
    machine().halt()


def destroy() -> None:
    machine().destroy()


COMMANDS = {"up": up, "status": status, "down": down, "destroy": destroy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=COMMANDS)
    COMMANDS[parser.parse_args().command]()


if __name__ == "__main__":
    main()
