/* SPDX-License-Identifier: MIT */
/* `nhi audit`: read, build the identity graph, evaluate rules, report. */
#include "commands.h"
#include "diag.h"

int cmd_audit(const cli_args *args)
{
    (void)args;
    cli_error("audit is not available in this build");
    return EXIT_INPUT;
}
