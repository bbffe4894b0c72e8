/* Helpers shared by the language parser tests: test data files, and the packages a parser
 * reports collected as sorted "name\tversion" lines for exact comparison. */
#ifndef LANGTEST_H
#define LANGTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "catalog/lang.h"

static inline const char *testdata(void)
{
	const char *s = getenv("LADING_TESTDATA");
	return s ? s : "tests/data";
}

/* The whole file tests/data/lang/<rel>, NUL-terminated; *len gets its size. */
static inline char *slurp(const char *rel, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	long n;
	snprintf(path, sizeof(path), "%s/lang/%s", testdata(), rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Packages collected by a parser callback. */
typedef struct collected {
	char *lines[4096];
	size_t n;
	size_t dev;
	bool keep_dev;
} collected;

static inline int collect(void *opaque, const ld_lang_pkg *p)
{
	collected *c = opaque;
	char line[2048];
	if (p->flags & LD_LANG_DEV) {
		c->dev++;
		if (!c->keep_dev)
			return 0;
	}
	if (p->ns.len)
		snprintf(line, sizeof(line), "%.*s:%.*s\t%.*s", (int)p->ns.len, p->ns.ptr,
			 (int)p->name.len, p->name.ptr, (int)p->version.len, p->version.ptr);
	else
		snprintf(line, sizeof(line), "%.*s\t%.*s", (int)p->name.len, p->name.ptr,
			 (int)p->version.len, p->version.ptr);
	assert_true(c->n < 4096);
	c->lines[c->n++] = strdup(line);
	return 0;
}

static inline int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, duplicates removed, joined with "\n" (caller frees). */
static inline char *collected_text(collected *c)
{
	size_t total = 1, o = 0;
	char *out;
	qsort(c->lines, c->n, sizeof(char *), cmp_lines);
	for (size_t i = 0; i < c->n; i++)
		total += strlen(c->lines[i]) + 1;
	out = malloc(total);
	assert_non_null(out);
	out[0] = '\0';
	for (size_t i = 0; i < c->n; i++) {
		size_t l = strlen(c->lines[i]);
		if (i && !strcmp(c->lines[i], c->lines[i - 1]))
			continue;
		memcpy(out + o, c->lines[i], l);
		o += l;
		out[o++] = '\n';
		out[o] = '\0';
	}
	return out;
}

static inline void collected_free(collected *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->lines[i]);
	c->n = 0;
}

#endif
