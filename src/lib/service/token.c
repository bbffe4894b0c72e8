/* API tokens: 256 random bits shown once; the store keeps their SHA-256 only. */
#include "util/common.h"
#include "util/hash.h"
#include "util/jsonw.h"
#include "store/store.h"
#include "service/service.h"

#define TOKEN_NAME_MAX 100
#define TOKEN_RANDOM_BYTES 32
#define TOKEN_LIST_MAX (16 * 1024 * 1024)

static bool name_ok(const char *n)
{
	size_t len = n ? strlen(n) : 0;
	if (!len || len > TOKEN_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.' || c == '@'))
			return false;
	}
	return true;
}

int lading_token_create(lading_store *s, lading_ctx *ctx, const char *name, const char *scope,
			char out[LADING_TOKEN_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[TOKEN_RANDOM_BYTES];
	char hash[LD_DIGEST_STR_LEN], now[32];
	ld_svc_scope sc;
	int64_t id = 0;
	bool found = false;
	int rc;

	ld_error_clear(ctx);
	s->ctx = ctx;
	out[0] = '\0';
	if (!name_ok(name))
		return ld_error_set(ctx, LADING_EINVALID,
				    "token name: 1 to %d letters, digits, '-', '_', '.', '@'", TOKEN_NAME_MAX);
	if (ld_svc_scope_parse(scope, &sc))
		return ld_error_set(ctx, LADING_EINVALID, "token scope: read, write or admin");
	if (ld_random_bytes(rnd, sizeof(rnd)))
		return ld_error_set(ctx, LADING_EIO, "no random bytes from OpenSSL");
	memcpy(out, "ldt_", 4);
	for (size_t i = 0; i < sizeof(rnd); i++) {
		out[4 + 2 * i] = hex[rnd[i] >> 4];
		out[4 + 2 * i + 1] = hex[rnd[i] & 15];
	}
	out[4 + 2 * sizeof(rnd)] = '\0';
	ld_sha256_buf(out, strlen(out), hash);
	ld_store_now(now);
	ld_sv p[4] = {ld_sv_text(name), ld_sv_text(ld_svc_scope_name(sc)), ld_sv_text(hash), ld_sv_text(now)};
	if ((rc = ld_store_exec_id(s, LD_SQ_TOKEN_INSERT, p, 4, &id, &found)))
		goto fail;
	if (!found) {
		rc = ld_error_set(ctx, LADING_EINVALID, "a token named '%s' exists (revoke it first)", name);
		goto fail;
	}
	return 0;
fail:
	memset(out, 0, LADING_TOKEN_LEN);
	return rc;
}

typedef struct list_ctx {
	ld_jw w;
	ld_buf b;
	bool json;
} list_ctx;

static int list_row(void *opaque, const ld_sv *c, size_t n)
{
	list_ctx *l = opaque;
	if (n < 6)
		return 0;
	if (!l->json) {
		ld_buf_addf(&l->b, "%-6" PRId64 " %-24s %-6s %-21s %-21s %s\n", ld_sv_i64(&c[0]),
			    ld_sv_str(&c[1]), ld_sv_str(&c[2]), ld_sv_str(&c[3]),
			    ld_sv_str(&c[4]) ? ld_sv_str(&c[4]) : "-", ld_sv_str(&c[5]) ? ld_sv_str(&c[5]) : "-");
		return 0;
	}
	ld_jw_obj(&l->w);
	ld_jw_ki64(&l->w, "id", ld_sv_i64(&c[0]));
	ld_jw_kstr(&l->w, "name", ld_sv_str(&c[1]));
	ld_jw_kstr(&l->w, "scope", ld_sv_str(&c[2]));
	ld_jw_kstr(&l->w, "created", ld_sv_str(&c[3]));
	ld_jw_kstr(&l->w, "last_used", ld_sv_str(&c[4]));
	ld_jw_kstr(&l->w, "revoked", ld_sv_str(&c[5]));
	ld_jw_obj_end(&l->w);
	return 0;
}

int lading_token_list(lading_store *s, lading_ctx *ctx, lading_format fmt, char **out, size_t *len)
{
	list_ctx l;
	int rc;

	ld_error_clear(ctx);
	s->ctx = ctx;
	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.json = fmt == LADING_FORMAT_JSON;
	ld_buf_init(&l.b, TOKEN_LIST_MAX);
	ld_jw_init(&l.w, &l.b, true);
	if (l.json) {
		ld_jw_obj(&l.w);
		ld_jw_key(&l.w, "tokens");
		ld_jw_arr(&l.w);
	} else {
		ld_buf_addf(&l.b, "%-6s %-24s %-6s %-21s %-21s %s\n", "ID", "NAME", "SCOPE", "CREATED",
			    "LAST USED", "REVOKED");
	}
	if ((rc = ld_store_exec(s, LD_SQ_TOKEN_LIST, NULL, 0, list_row, &l, NULL))) {
		ld_buf_release(&l.b);
		return rc;
	}
	if (l.json) {
		ld_jw_arr_end(&l.w);
		ld_jw_obj_end(&l.w);
		ld_jw_finish(&l.w);
	}
	if (ld_buf_error(&l.b)) {
		ld_buf_release(&l.b);
		return ld_error_set(ctx, LADING_ENOMEM, "token list: out of memory");
	}
	*out = ld_buf_detach(&l.b, len);
	return *out ? 0 : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
}

int lading_token_revoke(lading_store *s, lading_ctx *ctx, const char *name)
{
	char now[32];
	int64_t changes = 0;
	int rc;

	ld_error_clear(ctx);
	s->ctx = ctx;
	ld_store_now(now);
	ld_sv p[2] = {ld_sv_text(name), ld_sv_text(now)};
	if ((rc = ld_store_exec(s, LD_SQ_TOKEN_REVOKE, p, 2, NULL, NULL, &changes)))
		return rc;
	if (!changes)
		return ld_error_set(ctx, LADING_ENOTFOUND, "no live token named '%s'", name);
	return 0;
}

typedef struct check_ctx {
	const char *hash;
	ld_svc_token *t;
	bool found;
} check_ctx;

static int check_row(void *opaque, const ld_sv *c, size_t n)
{
	check_ctx *k = opaque;
	const char *h;
	if (n < 4 || !(h = ld_sv_str(&c[3])) || strlen(h) != strlen(k->hash))
		return 0;
	/* the index found the row; the comparison itself takes the same time wherever it differs */
	if (!ld_memeq_ct(h, k->hash, strlen(h)) || ld_svc_scope_parse(ld_sv_str(&c[2]), &k->t->scope))
		return 0;
	k->t->id = ld_sv_i64(&c[0]);
	ld_strlcpy(k->t->name, ld_sv_str(&c[1]) ? ld_sv_str(&c[1]) : "?", sizeof(k->t->name));
	k->found = true;
	return 1;
}

int ld_svc_token_check(lading_store *s, lading_ctx *ctx, ld_slice tok, ld_svc_token *t)
{
	char hash[LD_DIGEST_STR_LEN];
	check_ctx k = {hash, t, false};
	int rc;

	s->ctx = ctx;
	memset(t, 0, sizeof(*t));
	if (!ld_svc_token_valid(tok))
		return LADING_ENOTFOUND;
	ld_sha256_buf(tok.ptr, tok.len, hash);
	ld_sv p[1] = {ld_sv_text(hash)};
	if ((rc = ld_store_exec(s, LD_SQ_TOKEN_BY_HASH, p, 1, check_row, &k, NULL)))
		return rc;
	return k.found ? 0 : LADING_ENOTFOUND;
}
