/* SPDX-License-Identifier: MIT */
/* The rule registry: every rule id, its default severity and OWASP item. */
#ifndef NHI_RULES_H
#define NHI_RULES_H

#include <stddef.h>

#include "nhi/common.h"

typedef struct nhi_rule_info {
    const char *id;
    nhi_severity severity; /* default, changed by `severities:` in nhi.yaml */
    const char *owasp;     /* OWASP NHI Top 10 items, comma-separated */
    const char *summary;
    const char *remedy;    /* the customer-owned fix, provider mechanism named */
    int implemented;       /* 0: registered, not evaluated yet */
} nhi_rule_info;

size_t nhi_rule_count(void);
const nhi_rule_info *nhi_rule_at(size_t index);
const nhi_rule_info *nhi_rule_find(const char *id);

#endif
