#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a data file as a C string constant, so the binary needs no data dir."""
import sys

source, output, name = sys.argv[1], sys.argv[2], sys.argv[3]
with open(source, "rb") as handle:
    data = handle.read()
with open(output, "w", encoding="ascii") as handle:
    handle.write("/* Generated from %s by tools/embed.py; do not edit. */\n"
                 % source.rsplit("/", 1)[-1])
    handle.write("#include <stddef.h>\n")
    handle.write("const char %s[] = {\n" % name)
    for start in range(0, len(data), 16):
        chunk = data[start:start + 16]
        handle.write("    " + ", ".join("0x%02x" % byte for byte in chunk) + ",\n")
    handle.write("    0x00\n};\n")
    handle.write("const size_t %s_length = %d;\n" % (name, len(data)))
