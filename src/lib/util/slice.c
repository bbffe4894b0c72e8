#include "util/common.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

ld_slice ld_slice_trim(ld_slice s)
{
	while (s.len && is_blank(s.ptr[0])) {
		s.ptr++;
		s.len--;
	}
	while (s.len && is_blank(s.ptr[s.len - 1]))
		s.len--;
	return s;
}

bool ld_slice_cut(ld_slice *s, char c, ld_slice *head)
{
	const char *p = s->len ? memchr(s->ptr, c, s->len) : NULL;
	if (!p) {
		*head = *s;
		s->ptr += s->len;
		s->len = 0;
		return false;
	}
	*head = ld_slice_make(s->ptr, (size_t)(p - s->ptr));
	s->len -= (size_t)(p - s->ptr) + 1;
	s->ptr = p + 1;
	return true;
}

bool ld_slice_next_line(ld_slice *s, ld_slice *line)
{
	if (!s->len)
		return false;
	ld_slice_cut(s, '\n', line);
	if (line->len && line->ptr[line->len - 1] == '\r')
		line->len--;
	return true;
}

ptrdiff_t ld_slice_find(ld_slice s, char c)
{
	const char *p = s.len ? memchr(s.ptr, c, s.len) : NULL;
	return p ? p - s.ptr : -1;
}

ptrdiff_t ld_slice_find_str(ld_slice s, ld_slice needle)
{
	if (needle.len == 0)
		return 0;
	if (needle.len > s.len)
		return -1;
	const char *p = memmem(s.ptr, s.len, needle.ptr, needle.len);
	return p ? p - s.ptr : -1;
}

bool ld_slice_to_u64(ld_slice s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned d = (unsigned char)s.ptr[i] - '0';
		if (d > 9)
			return false;
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool ld_slice_case_eq_cstr(ld_slice a, const char *s)
{
	size_t n = strlen(s);
	if (n != a.len)
		return false;
	for (size_t i = 0; i < n; i++) {
		char x = a.ptr[i], y = s[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}
