/* cel_conform.c - the rule language for the cel-spec conformance runner
 * (tests/cel_conformance.js): one expression a line on stdin (with \n
 * and \\ escaped), one JSON object a line on stdout: the value in the
 * cel-spec's form ({"int64Value":"3"}, {"listValue":{"values":[...]}},
 * ...), {"evalError":"message"} or {"compileError":"col N: ..."}.
 * No variables are declared: cases with bindings are left out. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "rules/cel.h"

static void
json_str(const char *p, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
json_value(const points_cel_value *v)
{
	size_t i;

	switch (v->type) {
	case POINTS_CEL_NULL:
		printf("{\"nullValue\":null}");
		break;
	case POINTS_CEL_BOOL:
		printf("{\"boolValue\":%s}", v->u.b ? "true" : "false");
		break;
	case POINTS_CEL_INT:
		printf("{\"int64Value\":\"%" PRId64 "\"}", v->u.i);
		break;
	case POINTS_CEL_STRING:
		printf("{\"stringValue\":");
		json_str(v->u.s.p, v->u.s.n);
		printf("}");
		break;
	case POINTS_CEL_LIST:
		printf("{\"listValue\":{\"values\":[");
		for (i = 0; i < v->u.list.n; i++) {
			if (i)
				putchar(',');
			json_value(&v->u.list.v[i]);
		}
		printf("]}}");
		break;
	case POINTS_CEL_MAP:
		printf("{\"mapValue\":{\"entries\":[");
		for (i = 0; i < v->u.map.n; i++) {
			if (i)
				putchar(',');
			printf("{\"key\":");
			json_value(&v->u.map.e[i].key);
			printf(",\"value\":");
			json_value(&v->u.map.e[i].value);
			putchar('}');
		}
		printf("]}}");
		break;
	default:
		printf("{\"evalError\":");
		json_str(v->u.err, strlen(v->u.err));
		putchar('}');
		break;
	}
}

int
main(void)
{
	static char line[1 << 16], src[1 << 16];
	static points_cel_scratch scratch;

	while (fgets(line, sizeof(line), stdin)) {
		points_cel_prog *p = NULL;
		points_cel_value v;
		char err[256];
		size_t i, n = 0;

		for (i = 0; line[i] && line[i] != '\n'; i++) {
			if (line[i] == '\\' && line[i + 1] == 'n') {
				src[n++] = '\n';
				i++;
			} else if (line[i] == '\\' && line[i + 1] == '\\') {
				src[n++] = '\\';
				i++;
			} else {
				src[n++] = line[i];
			}
		}
		src[n] = '\0';
		if (points_cel__compile(src, NULL, &p, err, sizeof(err)) !=
		    POINTS_OK) {
			printf("{\"compileError\":");
			json_str(err, strlen(err));
			printf("}\n");
			continue;
		}
		if (points_cel__eval(p, NULL, &scratch, &v) != POINTS_OK)
			printf("{\"evalError\":\"eval failed\"}");
		else
			json_value(&v);
		putchar('\n');
		points_cel__free(p);
	}
	return 0;
}
