#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/random.h>
#include <time.h>

#include "util/common.h"
#include "util/hash.h"

int ld_sha256_init(ld_sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	h->md = NULL;
	if (!c)
		return LADING_ENOMEM;
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		return LADING_ENOMEM;
	}
	h->md = c;
	return 0;
}

void ld_sha256_update(ld_sha256 *h, const void *p, size_t n)
{
	if (h->md && n)
		EVP_DigestUpdate((EVP_MD_CTX *)h->md, p, n);
}

void ld_sha256_final(ld_sha256 *h, char out[LD_DIGEST_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;

	memcpy(out, "sha256:", 7);
	if (!h->md || EVP_DigestFinal_ex((EVP_MD_CTX *)h->md, md, &mdlen) != 1 || mdlen != 32)
		memset(md, 0, sizeof(md));
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[71] = '\0';
	ld_sha256_release(h);
}

void ld_sha256_release(ld_sha256 *h)
{
	if (h->md)
		EVP_MD_CTX_free((EVP_MD_CTX *)h->md);
	h->md = NULL;
}

void ld_sha256_buf(const void *p, size_t n, char out[LD_DIGEST_STR_LEN])
{
	ld_sha256 h;
	ld_sha256_init(&h);
	ld_sha256_update(&h, p, n);
	ld_sha256_final(&h, out);
}

bool ld_digest_valid_slice(ld_slice d)
{
	if (d.len != 71 || memcmp(d.ptr, "sha256:", 7) != 0)
		return false;
	for (size_t i = 7; i < 71; i++) {
		char c = d.ptr[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

bool ld_digest_valid(const char *d)
{
	return d && ld_digest_valid_slice(ld_slice_cstr(d));
}

uint64_t ld_hash64(const void *p, size_t n)
{
	/* FNV-1a with a final avalanche; keys are short paths and names */
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* ---- SipHash-2-4 (Aumasson, Bernstein) with a per-process random key ---- */

static uint64_t sip_k0, sip_k1;
static pthread_once_t sip_once = PTHREAD_ONCE_INIT;

static void sip_init(void)
{
	uint64_t k[2] = {0, 0};
	if (getrandom(k, sizeof(k), 0) != (ssize_t)sizeof(k)) {
		/* no entropy source: still unpredictable enough across runs for a hash table */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
		k[1] = (uint64_t)ts.tv_sec * 0xc2b2ae3d27d4eb4full ^ (uint64_t)(uintptr_t)&ts;
	}
	sip_k0 = k[0];
	sip_k1 = k[1];
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                           \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                               \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                               \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                           \
	} while (0)

uint64_t ld_hash64_keyed(const void *p, size_t n)
{
	const unsigned char *in = p;
	uint64_t v0, v1, v2, v3, m, b = (uint64_t)n << 56;
	size_t i, full = n & ~(size_t)7;

	pthread_once(&sip_once, sip_init);
	v0 = sip_k0 ^ 0x736f6d6570736575ull;
	v1 = sip_k1 ^ 0x646f72616e646f6dull;
	v2 = sip_k0 ^ 0x6c7967656e657261ull;
	v3 = sip_k1 ^ 0x7465646279746573ull;
	for (i = 0; i < full; i += 8) {
		memcpy(&m, in + i, 8); /* little-endian hosts only (x86-64, arm64) */
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; i + j < n; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int ld_random_bytes(void *out, size_t n)
{
	if (n > INT32_MAX || RAND_bytes(out, (int)n) != 1)
		return -1;
	return 0;
}

bool ld_memeq_ct(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
