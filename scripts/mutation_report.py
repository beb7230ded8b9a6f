"""Per-module mutation scores from ``mutmut results --all true`` (run after ``mutmut run``).

    python scripts/mutation_report.py            # a Markdown table, then the survivors

A mutant's name is ``<module>.x_<function>__mutmut_<n>`` (methods: ``xǁClassǁmethod``);
killed, timeout and (suspicious) count as caught; survived and "no tests" do not.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict

_NAME = re.compile(
    r"^\s*(?P<module>[\w.]+?)\.x(?:_|ǁ)(?P<rest>\S+)__mutmut_(?P<n>\d+):\s*(?P<status>.+)$")
CAUGHT = {"killed", "timeout", "suspicious"}


def main() -> int:
    listing = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                             capture_output=True, text=True, check=True).stdout
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for line in listing.splitlines():
        found = _NAME.match(line)
        if found is None:
            continue
        module, status = found["module"], found["status"].strip()
        counts[module][status] += 1
        if status not in CAUGHT:
            survivors[module].append(f"{found['rest'].replace('ǁ', '.')} #{found['n']} "
                                     f"({status})")
    print("| module | caught / mutants | score |")
    print("|---|---|---|")
    for module in sorted(counts):
        total = sum(counts[module].values())
        caught = sum(counts[module][s] for s in CAUGHT)
        print(f"| `{module}` | {caught} / {total} | {100 * caught / total:.1f} % |")
    for module in sorted(survivors):
        print(f"\n{module}:")
        for name in survivors[module]:
            print(f"  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
