#!/usr/bin/env python3
"""Lints the deployment files against the code (Docker is not available to run them here):
every `chorus` command line in compose.yaml, the Dockerfile and the systemd units is a real
subcommand whose options exist (asked of the built binary), compose has the services the README
and docs/scaling.md describe, the image is multi-stage with only libpq5 at run time, as a
non-root user, and the environment variables used are ones the code reads.
Usage: check_deploy.py CHORUS_BINARY"""
import re, shlex, subprocess, sys, pathlib, yaml

binary = sys.argv[1]
root = pathlib.Path(__file__).resolve().parent.parent
problems = []


def check_command(argv, where):
    """argv without the program: the subcommand path, then options."""
    words = [w for w in argv if not w.startswith("-")]
    sub = []
    for w in words:  # the longest prefix that is a subcommand
        probe = subprocess.run([binary, *sub, w, "--help"], capture_output=True, text=True)
        if probe.returncode != 0:
            break
        sub.append(w)
    if not sub:
        problems.append(f"{where}: `chorus {' '.join(argv)}` is not a chorus command")
        return
    help_text = subprocess.run([binary, *sub, "--help"], capture_output=True, text=True).stdout
    for option in (w.split("=")[0] for w in argv if w.startswith("--")):
        if option not in help_text:
            problems.append(f"{where}: `chorus {' '.join(sub)}` has no option {option}")


compose = yaml.safe_load((root / "Deploy/compose.yaml").read_text())
services = compose.get("services", {})
for name in ["db", "migrate", "serve", "work", "proxy"]:
    if name not in services:
        problems.append(f"compose.yaml: no service {name}")
for name, service in services.items():
    if "build" in service:
        check_command(service.get("command", []), f"compose.yaml service {name}")
        if "DATABASE_URL" not in (service.get("environment") or {}):
            problems.append(f"compose.yaml service {name}: DATABASE_URL is not set")
if services.get("serve", {}).get("deploy", {}).get("replicas", 0) < 2:
    problems.append("compose.yaml: docs/scaling.md describes at least two servers")

dockerfile = (root / "Deploy/Dockerfile").read_text()
stages = re.findall(r"^FROM\s+(\S+)", dockerfile, re.M)
if len(stages) < 2:
    problems.append("Dockerfile: not multi-stage")
runtime = dockerfile.split("\nFROM ")[-1]
installed = set(re.findall(r"install -y --no-install-recommends ([^&]+)", runtime)[0].split()) if "install" in runtime else set()
if not {"libpq5"} <= installed or installed - {"libpq5", "libqrencode4", "ca-certificates", "tzdata", "msmtp"}:
    problems.append(f"Dockerfile: the runtime stage installs {sorted(installed)}, expected libpq5 (and libqrencode4, certificates, time zones, msmtp)")
if not re.search(r"^USER\s+(?!root)\S+", runtime, re.M):
    problems.append("Dockerfile: the runtime does not switch to a non-root user")
cmd = re.search(r'^CMD\s+(\[.*\])', dockerfile, re.M)
check_command(yaml.safe_load(cmd.group(1)) if cmd else [], "Dockerfile CMD")

sources = "\n".join(p.read_text() for p in (root / "Sources").rglob("*.swift"))
for variable in set(re.findall(r"^ENV\s+(\w+)=", dockerfile, re.M)):
    if variable not in sources:
        problems.append(f"Dockerfile: ENV {variable} is read nowhere in Sources")

for unit in sorted((root / "Deploy/systemd").glob("*.service")):
    for line in unit.read_text().splitlines():
        if line.startswith(("ExecStart=", "ExecStartPre=")):
            argv = shlex.split(line.split("=", 1)[1])
            check_command(argv[1:], f"{unit.name}")
readme = (root / "README.md").read_text()
for path in ["Deploy/compose.yaml", "Deploy/Dockerfile", "Deploy/systemd"]:
    if path not in readme:
        problems.append(f"README.md does not mention {path}")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"deployment files consistent: {len(services)} compose services, {len(stages)} image stages, "
      f"{len(list((root / 'Deploy/systemd').glob('*.service')))} systemd units")
