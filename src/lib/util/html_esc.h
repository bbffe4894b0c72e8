/* The one HTML escaper of every HTML writer (the report stage, census, the honeypot's report):
 * text and attribute values alike. */
#ifndef LD_HTML_ESC_H
#define LD_HTML_ESC_H

#include <stddef.h>

#include "util/buf.h"

/* & < > " ' as entities; control bytes other than tab, newline and carriage return (which HTML
 * reads as white space) and DEL as U+FFFD, so that no byte of hostile text (a log, a package
 * name) can end a tag, an attribute or the page's encoding. NULL writes nothing. */
void ld_html_esc(ld_buf *b, const char *s);
/* The same for at most `max` bytes of s, then "&hellip;" when s was longer. */
void ld_html_esc_max(ld_buf *b, const char *s, size_t max);

#endif
