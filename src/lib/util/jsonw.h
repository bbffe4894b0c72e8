/* JSON writer into an ld_buf: deterministic output (callers emit keys in a fixed order),
 * optional 2-space pretty printing, always valid UTF-8 (invalid bytes become U+FFFD). */
#ifndef LD_JSONW_H
#define LD_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

#define LD_JW_MAX_DEPTH 64

typedef struct ld_jw {
	ld_buf *b;
	bool pretty;
	bool after_key;
	unsigned depth;
	uint8_t count[LD_JW_MAX_DEPTH]; /* 0 = container empty so far, 1 = has members */
	uint8_t is_obj[LD_JW_MAX_DEPTH];
} ld_jw;

void ld_jw_init(ld_jw *w, ld_buf *b, bool pretty);
void ld_jw_obj(ld_jw *w);
void ld_jw_obj_end(ld_jw *w);
void ld_jw_arr(ld_jw *w);
void ld_jw_arr_end(ld_jw *w);
void ld_jw_key(ld_jw *w, const char *k);
void ld_jw_str(ld_jw *w, const char *s);          /* NULL writes null */
void ld_jw_strn(ld_jw *w, const char *s, size_t n);
void ld_jw_i64(ld_jw *w, int64_t v);
void ld_jw_u64(ld_jw *w, uint64_t v);
void ld_jw_fixed(ld_jw *w, double v, int decimals); /* NaN/inf write null */
void ld_jw_bool(ld_jw *w, bool v);
void ld_jw_null(ld_jw *w);
/* A value already in JSON, written as is: only text this library wrote itself (a stored object). */
void ld_jw_raw(ld_jw *w, const char *json, size_t n);
/* key + value shorthands */
void ld_jw_kstr(ld_jw *w, const char *k, const char *v);     /* null when v is NULL */
void ld_jw_kstr_opt(ld_jw *w, const char *k, const char *v); /* omitted when v is NULL or "" */
void ld_jw_ki64(ld_jw *w, const char *k, int64_t v);
void ld_jw_kbool(ld_jw *w, const char *k, bool v);
/* Escape a string as JSON (with quotes) into a buffer; used by writers that build by hand. */
void ld_json_escape(ld_buf *b, const char *s, size_t n);
/* Finish: newline at the end when pretty. */
int ld_jw_finish(ld_jw *w);

#endif
