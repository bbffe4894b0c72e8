/* Reference for vercmp_differential.sh: rpm's own rpmverParse() + rpmverCmp() from librpm
 * (what rpm.vercmp() and dependency matching use). Reads "A<TAB>B" lines, prints <, = or >. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rpm/rpmver.h>

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		rpmver a, b;
		char *tab;
		int r;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		tab = strchr(line, '\t');
		if (!tab)
			return 2;
		*tab = '\0';
		a = rpmverParse(line);
		b = rpmverParse(tab + 1);
		if (!a || !b) {
			puts("E");
		} else {
			r = rpmverCmp(a, b);
			puts(r < 0 ? "<" : r > 0 ? ">" : "=");
		}
		rpmverFree(a);
		rpmverFree(b);
	}
	free(line);
	return 0;
}
