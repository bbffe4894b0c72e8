#include "util/common.h"
#include "util/html_esc.h"

void ld_html_esc_max(ld_buf *b, const char *s, size_t max)
{
	size_t n = 0;
	for (; s && *s && n < max; s++, n++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '<':
			ld_buf_adds(b, "&lt;");
			break;
		case '>':
			ld_buf_adds(b, "&gt;");
			break;
		case '&':
			ld_buf_adds(b, "&amp;");
			break;
		case '"':
			ld_buf_adds(b, "&quot;");
			break;
		case '\'':
			ld_buf_adds(b, "&#39;");
			break;
		case '\t':
		case '\n':
		case '\r':
			ld_buf_addc(b, (char)c);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				ld_buf_adds(b, "\xef\xbf\xbd"); /* U+FFFD */
			else
				ld_buf_addc(b, (char)c);
		}
	}
	if (s && *s)
		ld_buf_adds(b, "&hellip;");
}

void ld_html_esc(ld_buf *b, const char *s)
{
	ld_html_esc_max(b, s, SIZE_MAX);
}
