#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print the findings of an nhi JSON report, one per line, sorted:
severity, rule, identity (or consumer), subject ("-" for null)."""
import json
import signal
import sys

# A reader that stops early (grep -q) is not an error.
signal.signal(signal.SIGPIPE, signal.SIG_DFL)

report = json.load(open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin)
lines = sorted("%s %s %s %s" % (f["severity"], f["rule"],
                                f["identity"] or f["consumer"] or "-",
                                f["subject"] or "-")
               for f in report["findings"])
print("\n".join(lines))
