/* json.h - an event's attributes: JSON text read into the rule
 * language's values (cel.h), for the rules to read as event.attrs.
 *
 * What the language has: objects (string keys, each once), arrays,
 * strings, integers (int64), true, false, null.  A number with a
 * fraction or an exponent is refused (the language has no doubles:
 * amounts are integers in the asset's smallest unit), as is nesting
 * deeper than POINTS_CEL_MAX_DEPTH.  The values live in one allocation
 * of the exact size, made by a first pass that only counts. */
#ifndef POINTS_RULES_JSON_H
#define POINTS_RULES_JSON_H

#include <stddef.h>

#include "rules/cel.h"

typedef struct points_json {
	points_cel_value root;
	void *mem; /* everything root points to */
} points_json;

/* Parse text[0..n) into *out (freed by points_json__free).
 * POINTS_EINVAL with "byte N: reason" in err, or POINTS_ENOMEM. */
int points_json__parse(const char *text, size_t n, points_json *out,
    char *err, size_t errcap);
void points_json__free(points_json *j);

#endif
