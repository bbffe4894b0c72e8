/* Paths inside images. Canonical form: relative to the image root, no leading "/" or "./",
 * no "." or empty components, no trailing "/"; the root itself is "". */
#ifndef LD_PATH_H
#define LD_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/slice.h"

#define LD_PATH_MAX 4096

enum {
	LD_PATH_OK = 0,
	LD_PATH_DOTDOT = 1,  /* has a ".." component: refused, never resolved lexically */
	LD_PATH_TOOLONG = 2,
	LD_PATH_NUL = 3      /* embedded NUL byte */
};

/* Canonicalize `in` into out[LD_PATH_MAX]; *outlen gets the length. Returns LD_PATH_*. */
int ld_path_canon(ld_slice in, char *out, size_t *outlen);
/* Last component and the directory part of a canonical path ("a/b/c" -> "c", "a/b"). */
ld_slice ld_path_base(ld_slice p);
ld_slice ld_path_dir(ld_slice p);

/* Where lading keeps a per-user file (the cache, the vulnerability DB, the store): $<env> as it
 * is when set and not empty (env may be NULL), else $<xdg>/lading[/file], else
 * $HOME/<home_sub>/lading[/file] (file may be NULL). With LD_USER_XDG_ABS an XDG variable counts
 * only when it is an absolute path (the XDG rule), with LD_USER_HOME_ABS HOME likewise; without,
 * any non-empty value does. LADING_ENOTFOUND when nothing names it, LADING_ELIMIT when it does
 * not fit in n bytes. */
enum { LD_USER_XDG_ABS = 1u << 0, LD_USER_HOME_ABS = 1u << 1 };
int ld_user_path(char *out, size_t n, const char *env, const char *xdg, const char *home_sub,
		 const char *file, unsigned flags);

/* Glob over canonical paths: '*' and '?' stay within one component, '**' spans components
 * ("**" + "/" also matches zero components), '[...]' is not supported (never needed). */
bool ld_glob_match(const char *pattern, ld_slice path);

#endif
