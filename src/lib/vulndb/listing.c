/* HTML directory listings (listing.h). Not an HTML parser: it finds each "<a" tag, reads its
 * href attribute (quoted or not), decodes the few entities servers use and the percent-escapes,
 * and keeps the links that name one entry of this directory. */
#include <strings.h>

#include "util/common.h"
#include "vulndb/listing.h"

#define L_MAX_HREF 4096u /* bytes of one raw href value */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* The entities servers put in hrefs (&amp; above all; python escapes & < >). */
static size_t entity(const char *p, size_t n, char *out)
{
	static const struct {
		const char *s;
		char c;
	} tab[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
		   {"&#39;", '\''}, {"&#x27;", '\''}, {"&apos;", '\''}};
	for (size_t i = 0; i < LD_ARRAY_LEN(tab); i++) {
		size_t m = strlen(tab[i].s);
		if (n >= m && !strncasecmp(p, tab[i].s, m)) {
			*out = tab[i].c;
			return m;
		}
	}
	return 0;
}

/* Decode entities, then percent-escapes, into out (NUL-terminated). False when the result is
 * not a single name (a '/' inside, NUL or control bytes, too long). */
static bool decode(const char *p, size_t n, char *out, size_t outsz, bool *dir)
{
	char ent[L_MAX_HREF];
	size_t m = 0, o = 0;
	for (size_t i = 0; i < n && m < sizeof(ent);) {
		size_t k = p[i] == '&' ? entity(p + i, n - i, &ent[m]) : 0;
		if (k) {
			m++;
			i += k;
		} else {
			ent[m++] = p[i++];
		}
	}
	*dir = m > 0 && ent[m - 1] == '/';
	if (*dir)
		m--;
	for (size_t i = 0; i < m; i++) {
		char c = ent[i];
		int pc = ld_percent_byte(ent, m, i);
		if (pc >= 0) {
			c = (char)pc;
			i += 2;
		}
		if ((unsigned char)c < 0x20 || c == 0x7f || c == '/' || c == '\\' ||
		    o + 1 >= outsz)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return o > 0 && strcmp(out, ".") && strcmp(out, "..");
}

/* One href value: an entry of this directory, or not. */
static bool entry_of(const char *p, size_t n, char *name, size_t namesz, bool *dir)
{
	size_t cut;
	if (n == 0 || n > L_MAX_HREF)
		return false;
	while (n >= 2 && p[0] == '.' && p[1] == '/') {
		p += 2;
		n -= 2;
	}
	cut = n;
	if (!n || p[0] == '/' || p[0] == '?' || p[0] == '#')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ':')
			return false; /* a scheme: another place */
		if ((p[i] == '?' || p[i] == '#') && cut == n)
			cut = i;
	}
	return decode(p, cut, name, namesz, dir);
}

/* The href value of the tag starting at p (just past "<a"), within [p, end). */
static bool href_of(const char *p, const char *end, const char **v, size_t *vn)
{
	while (p < end && *p != '>') {
		if ((size_t)(end - p) > 5 && !strncasecmp(p, "href", 4) && is_space(p[-1])) {
			const char *q = p + 4;
			while (q < end && is_space(*q))
				q++;
			if (q < end && *q == '=') {
				q++;
				while (q < end && is_space(*q))
					q++;
				if (q < end && (*q == '"' || *q == '\'')) {
					const char *e = memchr(q + 1, *q, (size_t)(end - q - 1));
					if (!e)
						return false;
					*v = q + 1;
					*vn = (size_t)(e - q - 1);
					return true;
				}
				*v = q;
				while (q < end && !is_space(*q) && *q != '>')
					q++;
				*vn = (size_t)(q - *v);
				return true;
			}
		}
		p++;
	}
	return false;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const ld_listing_entry *)a)->name, ((const ld_listing_entry *)b)->name);
}

static int add(ld_listing *l, size_t *cap, const char *name, bool dir, lading_ctx *ctx)
{
	if (l->n >= LD_LISTING_MAX_ENTRIES)
		return ld_error_set(ctx, LADING_ELIMIT, "directory listing: more than %u entries",
				    LD_LISTING_MAX_ENTRIES);
	if (l->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		ld_listing_entry *ne = realloc(l->e, nc * sizeof(*ne));
		if (!ne)
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		l->e = ne;
		*cap = nc;
	}
	if (!(l->e[l->n].name = ld_strdup(name)))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	l->e[l->n++].dir = dir;
	return 0;
}

/* Sort and drop repeated names (Apache and nginx link each entry once, others twice). */
static void dedup(ld_listing *l)
{
	size_t o = 0;
	if (!l->n)
		return;
	qsort(l->e, l->n, sizeof(*l->e), cmp_entry);
	for (size_t i = 0; i < l->n; i++) {
		if (o && !strcmp(l->e[o - 1].name, l->e[i].name)) {
			l->e[o - 1].dir = l->e[o - 1].dir || l->e[i].dir;
			free(l->e[i].name);
			continue;
		}
		l->e[o++] = l->e[i];
	}
	l->n = o;
}

int ld_listing_parse(const char *p, size_t len, ld_listing *out, lading_ctx *ctx)
{
	const char *end = p + len, *q = p;
	size_t cap = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len > LD_LISTING_MAX_BYTES)
		return ld_error_set(ctx, LADING_ELIMIT, "directory listing larger than %zu bytes",
				    LD_LISTING_MAX_BYTES);
	while (!rc && (size_t)(end - q) > 2) {
		const char *lt = memchr(q, '<', (size_t)(end - q));
		const char *v;
		size_t vn;
		char name[LD_LISTING_MAX_NAME + 1];
		bool dir;
		if (!lt || (size_t)(end - lt) < 3)
			break;
		q = lt + 1;
		if ((lt[1] != 'a' && lt[1] != 'A') || !is_space(lt[2]))
			continue;
		if (href_of(lt + 2, end, &v, &vn) && entry_of(v, vn, name, sizeof(name), &dir))
			rc = add(out, &cap, name, dir, ctx);
	}
	if (rc) {
		ld_listing_release(out);
		return rc;
	}
	dedup(out);
	return 0;
}

void ld_listing_release(ld_listing *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		free(l->e[i].name);
	if (l)
		free(l->e);
	if (l)
		memset(l, 0, sizeof(*l));
}
