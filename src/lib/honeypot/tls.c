/* TLS for the Kubernetes emulation (the API server and the kubelet speak HTTPS): a self-signed
 * P-256 certificate made in memory at start (CN kube-apiserver, the SANs a real API server
 * certificate carries), non-blocking handshakes and I/O for the event loop. The only user of
 * libssl in the library (util/ uses libcrypto for sha256). */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/common.h"
#include "honeypot/hp.h"

#define CERT_DAYS 365

static int add_ext(X509 *crt, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, crt, crt, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return -1;
	X509_add_ext(crt, ext, -1);
	X509_EXTENSION_free(ext);
	return 0;
}

static X509 *self_signed(EVP_PKEY *key)
{
	X509 *crt = X509_new();
	X509_NAME *name;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	if (!crt)
		return NULL;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(crt)))
		goto fail;
	X509_set_version(crt, 2);
	X509_gmtime_adj(X509_getm_notBefore(crt), -3600);
	X509_gmtime_adj(X509_getm_notAfter(crt), (long)CERT_DAYS * 24 * 3600);
	X509_set_pubkey(crt, key);
	name = X509_get_subject_name(crt);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"kube-apiserver", -1, -1, 0);
	X509_set_issuer_name(crt, name);
	if (add_ext(crt, NID_subject_alt_name,
		    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,"
		    "DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:10.96."
		    "0.1") ||
	    add_ext(crt, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(crt, NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
	    add_ext(crt, NID_ext_key_usage, "serverAuth"))
		goto fail;
	if (!X509_sign(crt, key, EVP_sha256()))
		goto fail;
	BN_free(bn);
	return crt;
fail:
	BN_free(bn);
	X509_free(crt);
	return NULL;
}

int ld_hp_tls_ctx_new(void **out, lading_ctx *ctx)
{
	EVP_PKEY *key = NULL;
	X509 *crt = NULL;
	SSL_CTX *sc = NULL;
	int rc = 0;
	*out = NULL;
	key = EVP_EC_gen("P-256");
	if (!key || !(crt = self_signed(key))) {
		rc = ld_error_set(ctx, LADING_ENOMEM,
				  "cannot make the TLS certificate for the Kubernetes emulation");
		goto out;
	}
	sc = SSL_CTX_new(TLS_server_method());
	if (!sc || !SSL_CTX_set_min_proto_version(sc, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate(sc, crt) != 1 || SSL_CTX_use_PrivateKey(sc, key) != 1 ||
	    SSL_CTX_check_private_key(sc) != 1) {
		rc = ld_error_set(ctx, LADING_ENOMEM,
				  "cannot set up TLS for the Kubernetes emulation");
		SSL_CTX_free(sc);
		goto out;
	}
	/* a flood of idle TLS connections should not hold 2 x 16 KiB of buffers each */
	SSL_CTX_set_mode(sc, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
				     SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_OFF);
	*out = sc;
out:
	X509_free(crt);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return rc;
}

void ld_hp_tls_ctx_free(void *tls)
{
	SSL_CTX_free(tls);
}

void *ld_hp_tls_new(void *tls, int fd)
{
	SSL *s = SSL_new(tls);
	if (!s)
		return NULL;
	if (SSL_set_fd(s, fd) != 1) {
		SSL_free(s);
		return NULL;
	}
	SSL_set_accept_state(s);
	return s;
}

void ld_hp_tls_free(void *ssl)
{
	if (ssl)
		SSL_free(ssl);
	ERR_clear_error();
}

/* Map an SSL result: -1 would block (with direction), -2 failed. */
static int want(SSL *s, int r, bool *want_write)
{
	int e = SSL_get_error(s, r);
	ERR_clear_error();
	if (e == SSL_ERROR_WANT_READ) {
		*want_write = false;
		return -1;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		*want_write = true;
		return -1;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	return -2;
}

int ld_hp_tls_handshake(void *ssl, bool *want_write)
{
	int r = SSL_accept(ssl);
	if (r == 1)
		return 1;
	r = want(ssl, r, want_write);
	return r == -1 ? 0 : -1;
}

ssize_t ld_hp_tls_read(void *ssl, void *p, size_t n, bool *want_write)
{
	size_t got = 0;
	int r = SSL_read_ex(ssl, p, n, &got);
	if (r == 1)
		return (ssize_t)got;
	return want(ssl, 0, want_write);
}

ssize_t ld_hp_tls_write(void *ssl, const void *p, size_t n, bool *want_write)
{
	size_t put = 0;
	int r = SSL_write_ex(ssl, p, n, &put);
	if (r == 1)
		return (ssize_t)put;
	r = want(ssl, 0, want_write);
	return r == 0 ? -2 : r;
}

bool ld_hp_tls_pending(void *ssl)
{
	return SSL_pending(ssl) > 0;
}
