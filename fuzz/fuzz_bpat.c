/* Fuzz the classifier byte patterns: the first line is a pattern (compiled and, when valid,
 * run over the rest), and the rest is also classified with the built-in table under a file name
 * taken from the input, as if it were a binary. */
#include "util/common.h"
#include "catalog/binfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
    "openssl",	    "libcrypto.so.3", "bash",	      "busybox",	 "nginx",   "httpd",
    "redis-server", "mariadbd",	      "mysqld",	      "postgres",	 "mongod",  "node",
    "python3.11",   "curl",	      "libcurl.so.4", "libsqlite3.so.0", "haproxy", "memcached",
    "etcd",	    "consul",	      "vault",	      "traefik"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - data) : size, n;
	const uint8_t *rest = nl ? nl + 1 : data + size;
	size_t rlen = size - (size_t)(rest - data);
	char pat[LD_BPAT_MAX_SRC + 1], err[160];
	const ld_classifier *rows = ld_classifiers(&n);
	ld_bpat *p;
	ld_slice v;
	ld_buf b = LD_BUF_INIT;

	if (plen <= LD_BPAT_MAX_SRC && !memchr(data, '\0', plen)) {
		memcpy(pat, data, plen);
		pat[plen] = '\0';
		if (ld_bpat_compile(&p, pat, err, sizeof(err)) == 0) {
			if (ld_bpat_search(p, rest, rlen, NULL, NULL, &v) &&
			    (v.ptr < (const char *)rest ||
			     v.ptr + v.len > (const char *)rest + rlen ||
			     v.len > LD_BPAT_MAX_VERSION))
				__builtin_trap();
			ld_bpat_free(p);
		}
	}
	if (rows) {
		b.max = 64 << 10;
		ld_classify(rows, n, names[size % LD_ARRAY_LEN(names)], rest, rlen, &b);
		ld_buf_release(&b);
	}
	return 0;
}
