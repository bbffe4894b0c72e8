/* Reference for vercmp_differential.sh: dpkg's own parseversion() + dpkg_version_compare()
 * from libdpkg. Reads "A<TAB>B" lines, prints <, = or > (or E when dpkg rejects a version). */
#define LIBDPKG_VOLATILE_API 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dpkg/dpkg.h>
#include <dpkg/dpkg-db.h>
#include <dpkg/error.h>
#include <dpkg/version.h>

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		struct dpkg_version a, b;
		struct dpkg_error e1 = DPKG_ERROR_INIT, e2 = DPKG_ERROR_INIT;
		char *tab;
		int r;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		tab = strchr(line, '\t');
		if (!tab)
			return 2;
		*tab = '\0';
		if (parseversion(&a, line, &e1) < 0 || parseversion(&b, tab + 1, &e2) < 0) {
			puts("E");
			dpkg_error_destroy(&e1);
			dpkg_error_destroy(&e2);
			continue;
		}
		r = dpkg_version_compare(&a, &b);
		puts(r < 0 ? "<" : r > 0 ? ">" : "=");
	}
	free(line);
	return 0;
}
