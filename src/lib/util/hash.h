/* SHA-256 (OpenSSL's EVP; uses the CPU's SHA extensions) and digest strings. The only user of
 * OpenSSL's libcrypto in the library. */
#ifndef LD_HASH_H
#define LD_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/slice.h"

typedef struct ld_sha256 {
	void *md; /* EVP_MD_CTX */
} ld_sha256;

#define LD_SHA256_HEX_LEN 64
/* "sha256:" + 64 hex + NUL */
#define LD_DIGEST_STR_LEN 72

int ld_sha256_init(ld_sha256 *h);
void ld_sha256_update(ld_sha256 *h, const void *p, size_t n);
/* Writes "sha256:<hex>" into out[LD_DIGEST_STR_LEN] and releases the state. */
void ld_sha256_final(ld_sha256 *h, char out[LD_DIGEST_STR_LEN]);
void ld_sha256_release(ld_sha256 *h);
void ld_sha256_buf(const void *p, size_t n, char out[LD_DIGEST_STR_LEN]);

/* "sha256:" followed by exactly 64 lowercase hex digits. Other algorithms are rejected: the
 * OCI spec allows sha512 too, but no image tool writes it; we say so instead of guessing. */
bool ld_digest_valid(const char *d);
/* Cryptographically strong random bytes (OpenSSL RAND_bytes); -1 when the generator fails. */
int ld_random_bytes(void *out, size_t n);
/* Equal in time independent of where the bytes differ (CRYPTO_memcmp). */
bool ld_memeq_ct(const void *a, const void *b, size_t n);
bool ld_digest_valid_slice(ld_slice d);

/* 64-bit hash for hash tables (not cryptographic). */
uint64_t ld_hash64(const void *p, size_t n);
/* SipHash-2-4 under a key drawn at random once per process: the merged view keeps only this
 * hash of most paths, so an image must not be able to choose colliding names. */
uint64_t ld_hash64_keyed(const void *p, size_t n);

#endif
