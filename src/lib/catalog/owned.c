/* The last catalog pass: a language package whose file (METADATA, package.json, gemspec, jar,
 * binary...) belongs to an OS package is marked os_managed. Its distribution ships it and may
 * have backported fixes, so the matcher leaves it to the distribution's feed unless asked. */
#include "util/common.h"
#include "catalog/catalog.h"

static bool os_type(const char *t)
{
	return t && (!strcmp(t, "deb") || !strcmp(t, "apk") || !strcmp(t, "rpm"));
}

void ld_catalog_mark_os_managed(ld_catalog *c)
{
	for (size_t i = 0; i < c->pkgs.len; i++) {
		lading_package *p = ld_vec_at(&c->pkgs, i);
		char outer[LD_PATH_MAX];
		const char *bang;
		if (os_type(p->type) || !p->location || !*p->location)
			continue;
		if (ld_catalog_owner(c, p->location)) {
			p->flags |= LADING_PKG_OS_MANAGED;
			continue;
		}
		/* "/usr/share/java/app.war!WEB-INF/lib/x.jar": the outer archive is the file */
		if ((bang = strchr(p->location, '!')) &&
		    (size_t)(bang - p->location) < sizeof(outer)) {
			ld_slice_copy(outer, sizeof(outer),
				      ld_slice_make(p->location, (size_t)(bang - p->location)));
			if (ld_catalog_owner(c, outer))
				p->flags |= LADING_PKG_OS_MANAGED;
		}
	}
}
