/* Fuzz the Java archive analyzer (zip reading through libarchive, pom.properties, MANIFEST.MF,
 * nested archives) and the reader of its result blob; also the .egg analyzer. */
#include "util/common.h"
#include "catalog/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(void *opaque, const ld_lang_pkg *p)
{
	if (!p->name.len || !p->version.len)
		__builtin_trap();
	(*(size_t *)opaque)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_arena a;
	ld_slice res;
	size_t count = 0;
	ld_arena_init(&a, 0);
	if (ld_java_analyze(data, size, "fuzz/app-1.0.war", &a, &res) == 0 && res.len)
		ld_java_result_each(res, visit, NULL, &count);
	ld_egg_analyze(data, size, "fuzz/x.egg", &a, &res);
	/* the blob reader on arbitrary bytes */
	ld_java_result_each(ld_slice_make(data, size), visit, NULL, &count);
	ld_arena_release(&a);
	return 0;
}
