#!/usr/bin/python3
"""Per-message cost of each function from two callgrind runs of the same server.

usage: callgrind_diff.py SHORT.out LONG.out UNITS [--exclusive] [--top N]

SHORT and LONG are callgrind outputs of runs that differ only in the amount of work (e.g. 2 000
and 22 000 echoes); UNITS is that difference (20 000). Start-up, handshakes and shutdown cancel
out, so each figure is instructions per unit of work, inclusive (default) or exclusive.
Functions are keyed by name (object file dropped), so inlined copies listed under several source
files are summed.
"""
import re
import subprocess
import sys


def load(path, inclusive):
    out = subprocess.run(
        ["callgrind_annotate", "--auto=no", f"--inclusive={'yes' if inclusive else 'no'}",
         "--threshold=100", path], capture_output=True, text=True, check=True).stdout
    costs, total = {}, None
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)(?: \(\s*[\d.]+%\))?\s+(.*)$", line)
        if not m:
            continue
        value, name = int(m.group(1).replace(",", "")), m.group(2)
        if name.startswith("PROGRAM TOTALS"):
            total = value
            continue
        name = re.sub(r" \[[^\]]*\]$", "", name)  # the object file
        name = re.sub(r"^\?\?\?:|^[^:]*\.(c|h|cc|cpp|hpp|ipp|S):", "", name)  # the source file
        costs[name] = costs.get(name, 0) + value
    return total, costs


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    inclusive = "--exclusive" not in argv
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 15
    units = float(argv[2])
    short_total, short = load(argv[0], inclusive)
    long_total, long_ = load(argv[1], inclusive)
    print(f"total: {(long_total - short_total) / units:.0f} instructions per unit")
    rows = sorted(((long_.get(k, 0) - short.get(k, 0)) / units, k) for k in set(long_) | set(short))
    for value, name in reversed(rows[-top:] if top else []):
        print(f"{value:9.0f}  {name[:220]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
