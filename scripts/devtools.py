"""Small helpers for the shell scripts (standard library only).

devtools.py free-port
devtools.py deps --addons a,b --path dir1,dir2
devtools.py check-log LOG --mode install|tests [--addons a,b] [--summary F]
devtools.py wait-url URL [--timeout S] [--pid PID]
devtools.py check-wheel WHEEL ADDON
"""

import argparse
import ast
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

# 2024-11-27 23:49:00,123 4242 WARNING dbname odoo.addons.x.models.y: message
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ "
    r"(?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): (?P<msg>.*)$"
)
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
MAX_BLOCK_LINES = 60


def cmd_free_port(_args):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        print(sock.getsockname()[1])
    return 0


def _manifest(addon, path):
    for folder in path:
        manifest = Path(folder) / addon / "__manifest__.py"
        if manifest.is_file():
            return ast.literal_eval(manifest.read_text(encoding="utf-8"))
    return None


def cmd_deps(args):
    """Print the modules that ADDONS need and that are not in ADDONS."""
    ours = [a for a in args.addons.split(",") if a]
    path = [p for p in args.path.split(",") if p]
    seen, deps, todo = set(ours), set(), list(ours)
    while todo:
        manifest = _manifest(todo.pop(), path)
        for dep in (manifest or {}).get("depends", []):
            if dep in seen:
                continue
            seen.add(dep)
            if dep in ours:
                todo.append(dep)
            else:
                deps.add(dep)
                # Odoo installs what the dependency needs by itself.
    print(",".join(sorted(deps | {"base"})))
    return 0


def _blocks(lines):
    """Yield (match, block of lines) for each log record and its continuation."""
    current, block = None, []
    for line in lines:
        match = LOG_LINE.match(line)
        if match:
            if block:
                yield current, block
            current, block = match, [line]
        else:
            block.append(line)
    if block:
        yield current, block


def _is_ours(logger, addons):
    return any(
        logger == f"odoo.addons.{a}" or logger.startswith(f"odoo.addons.{a}.")
        for a in addons
    )


def _scan_log(text, mode, addons):
    """Return (problem blocks, test results) found in an Odoo log."""
    problems, results = [], []
    for match, block in _blocks(text.splitlines()):
        if match is None:
            # Output before the first record (e.g. a traceback at startup).
            if any("Traceback" in line or "Error" in line for line in block):
                problems.append(block)
            continue
        level, logger = match["level"], match["logger"]
        found = RESULT.search(match["msg"]) if logger == "odoo.tests.result" else None
        if found:
            results.append(tuple(int(n) for n in found.groups()))
        if level in ("ERROR", "CRITICAL"):
            problems.append(block)
        elif level == "WARNING" and (mode == "install" or _is_ours(logger, addons)):
            problems.append(block)
    return problems, results


def _print_problems(log, problems):
    print(f"--- {len(problems)} problem(s) in {log}:", file=sys.stderr)
    for block in problems[:40]:
        for line in block[:MAX_BLOCK_LINES]:
            print(line, file=sys.stderr)
        if len(block) > MAX_BLOCK_LINES:
            more = len(block) - MAX_BLOCK_LINES
            print(f"    ... ({more} more lines)", file=sys.stderr)
    if len(problems) > 40:
        print(f"... and {len(problems) - 40} more: see the log", file=sys.stderr)
    print("---", file=sys.stderr)


def cmd_check_log(args):
    """Exit 1 when an Odoo log shows a problem, printing the offending records.

    install: any WARNING, ERROR or CRITICAL record is a problem.
    tests: ERROR and CRITICAL records, WARNING records of the addons' own
    loggers, failed or erroneous tests, and a run of no test are problems.
    """
    addons = [a for a in (args.addons or "").split(",") if a]
    text = Path(args.log).read_text(encoding="utf-8", errors="replace")
    problems, results = _scan_log(text, args.mode, addons)
    if args.mode == "tests":
        run = sum(r[2] for r in results)
        failed = sum(r[0] for r in results)
        errors = sum(r[1] for r in results)
        if not results:
            problems.append(["(no 'odoo.tests.result' line: the run did not finish)"])
        elif run == 0:
            problems.append(["(no test was run: check the test tags and imports)"])
        if args.summary:
            summary = f"{run} {failed} {errors} {len(problems)}\n"
            Path(args.summary).write_text(summary, encoding="utf-8")
    if problems:
        _print_problems(args.log, problems)
        return 1
    return 0


def cmd_wait_url(args):
    """Wait until URL answers 200; fail early if process PID has ended."""
    deadline = time.monotonic() + args.timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if args.pid and not _alive(args.pid):
            print(f"the server (pid {args.pid}) has stopped", file=sys.stderr)
            return 1
        try:
            with urllib.request.urlopen(args.url, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return 0
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except (OSError, ValueError) as exc:
            last = str(exc)
        time.sleep(0.5)
    print(f"{args.url} gave no 200 in {args.timeout} s ({last})", file=sys.stderr)
    return 1


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (ended, not yet reaped) counts as ended.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def cmd_check_wheel(args):
    wanted = f"odoo/addons/{args.addon}/__manifest__.py"
    with zipfile.ZipFile(args.wheel) as wheel:
        names = wheel.namelist()
    if wanted not in names:
        print(f"{args.wheel} lacks {wanted}", file=sys.stderr)
        return 1
    print(f"{Path(args.wheel).name}: {len(names)} files, has {wanted}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("free-port").set_defaults(func=cmd_free_port)
    deps = sub.add_parser("deps")
    deps.add_argument("--addons", required=True)
    deps.add_argument("--path", required=True)
    deps.set_defaults(func=cmd_deps)
    log = sub.add_parser("check-log")
    log.add_argument("log")
    log.add_argument("--mode", choices=("install", "tests"), required=True)
    log.add_argument("--addons", default="")
    log.add_argument("--summary")
    log.set_defaults(func=cmd_check_log)
    wait = sub.add_parser("wait-url")
    wait.add_argument("url")
    wait.add_argument("--timeout", type=float, default=120)
    wait.add_argument("--pid", type=int)
    wait.set_defaults(func=cmd_wait_url)
    wheel = sub.add_parser("check-wheel")
    wheel.add_argument("wheel")
    wheel.add_argument("addon")
    wheel.set_defaults(func=cmd_check_wheel)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
