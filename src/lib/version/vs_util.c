/* Helpers shared by the version comparators, and the "generic" scheme. */
#include "util/common.h"
#include "version/vs_int.h"

int ld_vs_numcmp(ld_slice a, ld_slice b)
{
	size_t i = 0, j = 0;
	while (i < a.len && a.ptr[i] == '0')
		i++;
	while (j < b.len && b.ptr[j] == '0')
		j++;
	if (a.len - i != b.len - j)
		return a.len - i < b.len - j ? -1 : 1;
	return ld_vs_sign(a.len - i ? memcmp(a.ptr + i, b.ptr + j, a.len - i) : 0);
}

int ld_vs_bytecmp(ld_slice a, ld_slice b)
{
	size_t n = LD_MIN(a.len, b.len);
	int r = n ? memcmp(a.ptr, b.ptr, n) : 0;
	if (r)
		return ld_vs_sign(r);
	return a.len == b.len ? 0 : (a.len < b.len ? -1 : 1);
}

int ld_vs_casecmp(ld_slice a, ld_slice b)
{
	size_t n = LD_MIN(a.len, b.len);
	for (size_t i = 0; i < n; i++) {
		int x = ld_vs_tolower((unsigned char)a.ptr[i]),
		    y = ld_vs_tolower((unsigned char)b.ptr[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return a.len == b.len ? 0 : (a.len < b.len ? -1 : 1);
}

bool ld_vs_caseeq(ld_slice a, const char *lit)
{
	return ld_vs_casecmp(a, ld_slice_cstr(lit)) == 0;
}

bool ld_vs_alldigits(ld_slice s)
{
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!ld_vs_isdigit((unsigned char)s.ptr[i]))
			return false;
	return true;
}

ld_slice ld_vs_cstr(ld_slice s)
{
	const char *nul = s.len ? memchr(s.ptr, '\0', s.len) : NULL;
	if (nul)
		s.len = (size_t)(nul - s.ptr);
	return s;
}

static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

ld_slice ld_vs_trim_space(ld_slice s)
{
	while (s.len && is_space((unsigned char)s.ptr[0])) {
		s.ptr++;
		s.len--;
	}
	while (s.len && is_space((unsigned char)s.ptr[s.len - 1]))
		s.len--;
	return s;
}

/* Next run of digits or of non-digits starting at *pos. */
static ld_slice next_run(ld_slice s, size_t *pos, bool *digits)
{
	size_t start = *pos;
	bool d = ld_vs_isdigit((unsigned char)s.ptr[start]);
	while (*pos < s.len && ld_vs_isdigit((unsigned char)s.ptr[*pos]) == d)
		(*pos)++;
	*digits = d;
	return ld_slice_make(s.ptr + start, *pos - start);
}

/* generic: alternate runs of digits and non-digits; digit runs compare by value, others
 * bytewise; a digit run sorts after a non-digit run; a version that runs out first is lower. */
int ld_vs_generic_cmp(ld_slice a, ld_slice b)
{
	size_t i = 0, j = 0;
	while (i < a.len && j < b.len) {
		bool da, db;
		ld_slice ra = next_run(a, &i, &da), rb = next_run(b, &j, &db);
		int r;
		if (da != db)
			return da ? 1 : -1;
		r = da ? ld_vs_numcmp(ra, rb) : ld_vs_bytecmp(ra, rb);
		if (r)
			return r;
	}
	if (i < a.len)
		return 1;
	if (j < b.len)
		return -1;
	return 0;
}

int ld_vs_invalid_cmp(ld_slice a, ld_slice b)
{
	int r = ld_vs_generic_cmp(a, b);
	return r ? r : ld_vs_bytecmp(a, b);
}
