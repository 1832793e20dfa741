/* tests/unit/tier_test_log.c -- see tier_test_log.h. */
#include "tier_test_log.h"

#include <string.h>

char tier_test_loglines[16384];

void tier_test_log(void *arg, int level, const char *line)
{
	size_t used = strlen(tier_test_loglines);

	(void)arg;
	(void)level;
	if (used + strlen(line) + 2 > sizeof(tier_test_loglines))
		return;
	strcat(tier_test_loglines, line);
	strcat(tier_test_loglines, "\n");
}
