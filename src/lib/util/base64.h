/* Base64 (RFC 4648, standard alphabet) for HTTP Basic credentials and docker config `auth`
 * fields: small enough to write here rather than route through OpenSSL (which the house rule
 * keeps to util/hash.c) or libcurl. */
#ifndef LD_BASE64_H
#define LD_BASE64_H

#include <stddef.h>

#include "util/buf.h"

/* Append the encoding of (p, n) with '=' padding to `out`. Returns 0 or the buffer's error. */
int ld_base64_encode(ld_buf *out, const void *p, size_t n);
/* Append the decoded bytes to `out`. Accepts padded and unpadded input; whitespace and any
 * other character are rejected (LADING_EINVALID). */
int ld_base64_decode(ld_buf *out, const char *p, size_t n);

#endif
