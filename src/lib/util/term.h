/* Text from images (tar names, tags, created_by, package names and versions, licences...) made
 * safe for a terminal: every C0 control (newline and tab too, inside a value), DEL, C1 control
 * (U+0080..U+009F, as UTF-8 or as a raw byte) and invalid UTF-8 byte is shown escaped (\x1b,
 * \u009b), so no escape sequence from an image reaches the terminal. Valid UTF-8 text passes.
 * Used by every table writer and, through lading_text_escape, by the CLI's messages. */
#ifndef LD_TERM_H
#define LD_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Append s (NUL-terminated, may be NULL = "") escaped. */
void ld_buf_add_term(ld_buf *b, const char *s);
/* Width of s once escaped, counting code points (what table columns align on). */
size_t ld_term_width(const char *s);
/* s escaped into tmp (truncated to fit, always terminated); returns tmp. */
const char *ld_term(const char *s, char *tmp, size_t n);
/* Escape, in place from byte `from` on, whatever control byte a writer's own text let through;
 * newlines stay when `keep_newlines` (a writer's row separators). A last net over a whole
 * table: values are escaped one by one before it. */
void ld_buf_term_sanitize(ld_buf *b, size_t from, bool keep_newlines);

#endif
