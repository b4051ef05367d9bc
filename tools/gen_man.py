#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fill the man page template with the synopsis and options from nhi."""
import subprocess
import sys

binary, template, output = sys.argv[1], sys.argv[2], sys.argv[3]
sections = subprocess.run([binary, "--man-sections"], check=True,
                          capture_output=True, text=True).stdout
with open(template, encoding="utf-8") as handle:
    text = handle.read()
if "@SECTIONS@" not in text:
    sys.exit("gen_man: the template has no @SECTIONS@ marker")
with open(output, "w", encoding="utf-8") as handle:
    handle.write(text.replace("@SECTIONS@\n", sections))
