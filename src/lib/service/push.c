/* lading_containers_push: an agent's snapshot sent to a server's POST /api/v1/containers. */
#include <string.h>

#include "util/common.h"
#include "util/http.h"
#include "lading/service.h"

/* Named limits. */
#define PUSH_URL_MAX 2048               /* the server's URL with the path and the source */
#define PUSH_TOKEN_MAX 512              /* a token's bytes (lading's are 40-odd) */
#define PUSH_ANSWER_MAX (1024 * 1024)   /* the server's answer read */
#define PUSH_CONNECT_MS 10000
#define PUSH_TOTAL_MS 300000            /* a snapshot of 100,000 containers takes seconds */
#define PUSH_ENDPOINT "/api/v1/containers"

/* The endpoint's URL with ?source=NAME (percent-encoded): the server's own base, or the full
 * endpoint as given. */
static int push_url(const char *base, const char *source, char *out, size_t outsz)
{
	size_t n = strlen(base), elen = strlen(PUSH_ENDPOINT);
	ld_buf b;
	int rc = 0;
	while (n && base[n - 1] == '/')
		n--;
	bool full = n >= elen && !memcmp(base + n - elen, PUSH_ENDPOINT, elen);
	ld_buf_init(&b, outsz - 1);
	ld_buf_add(&b, base, n);
	if (!full)
		ld_buf_adds(&b, PUSH_ENDPOINT);
	ld_buf_adds(&b, "?source=");
	ld_buf_add_pct(&b, ld_slice_cstr(source ? source : ""));
	if (ld_buf_error(&b))
		rc = LADING_ELIMIT;
	else
		ld_slice_copy(out, outsz, ld_buf_slice(&b));
	ld_buf_release(&b);
	return rc;
}

static int check_options(const lading_push_options *o, lading_ctx *ctx)
{
	if (!o || o->version != LADING_PUSH_OPTIONS_VERSION || !o->url)
		return ld_error_set(ctx, LADING_EUSAGE, "push: no server URL given");
	if (strncmp(o->url, "http://", 7) && strncmp(o->url, "https://", 8))
		return ld_error_set(ctx, LADING_EUSAGE, "push: '%s' is not an http:// or https:// URL", o->url);
	if (!o->token || !*o->token)
		return ld_error_set(ctx, LADING_EUSAGE,
				    "push: no token (give a write token: 'lading token create --scope write')");
	if (strlen(o->token) > PUSH_TOKEN_MAX || strpbrk(o->token, "\r\n"))
		return ld_error_set(ctx, LADING_EUSAGE, "push: the token is not a token (too long, or a line break)");
	return 0;
}

/* A non-2xx answer as an error a user can act on (msg: the start of the server's answer). */
static int answer_error(long status, const char *msg, const char *logurl, lading_ctx *ctx)
{
	int len = (int)strcspn(msg, "\r\n");
	if (status == 401 || status == 403)
		return ld_error_set(ctx, LADING_EAUTH, "push: %s refused the token (HTTP %ld%s): %.*s", logurl, status,
				    status == 403 ? ", it needs the write scope" : "", len, msg);
	return ld_error_set(ctx, LADING_EIO, "push: %s answered HTTP %ld: %.*s", logurl, status, len, msg);
}

int lading_containers_push(const lading_containers *c, lading_ctx *ctx, const lading_push_options *o,
			   char **answer, size_t *alen)
{
	char url[PUSH_URL_MAX], logurl[512], auth[PUSH_TOKEN_MAX + 32], *body = NULL;
	const char *headers[3];
	size_t blen = 0;
	ld_http_options ho;
	ld_http_request req;
	ld_http_response resp;
	ld_http *h = NULL;
	ld_buf ans;
	int rc;

	*answer = NULL;
	*alen = 0;
	ld_error_clear(ctx);
	if ((rc = check_options(o, ctx)))
		return rc;
	if (push_url(o->url, lading_containers_source(c), url, sizeof(url)))
		return ld_error_set(ctx, LADING_ELIMIT, "push: the URL is longer than %d bytes", PUSH_URL_MAX);
	if ((rc = lading_containers_render(c, 1, &body, &blen, ctx)))
		return rc;
	ld_snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->token);
	headers[0] = auth;
	headers[1] = "Content-Type: application/json";
	headers[2] = "Expect:"; /* no 100-continue round trip */
	memset(&ho, 0, sizeof(ho));
	ho.connect_timeout_ms = PUSH_CONNECT_MS;
	ho.total_timeout_ms = PUSH_TOTAL_MS;
	ho.ca_file = o->ca_file;
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.url = url;
	req.headers = headers;
	req.nheaders = 3;
	req.post = body;
	req.post_len = blen;
	req.no_redirect = true; /* the token goes to the server named, nowhere else */
	req.no_retry = true;    /* a POST is not repeated behind the user's back */
	req.max_bytes = PUSH_ANSWER_MAX;
	ld_buf_init(&ans, PUSH_ANSWER_MAX + 1);
	req.body = &ans;
	ld_http_url_for_log(url, logurl, sizeof(logurl));
	if (!(rc = ld_http_new(&h, &ho, ctx)))
		rc = ld_http_get(h, &req, &resp, ctx);
	/* an HTTP answer other than 2xx: said with the server's own message */
	if (h && resp.status >= 300)
		rc = answer_error(resp.status, resp.error_body, logurl, ctx);
	else if (!rc && (resp.status < 200 || resp.status > 299))
		rc = answer_error(resp.status, "", logurl, ctx);
	if (!rc && !(*answer = ld_buf_detach(&ans, alen)))
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_http_free(h);
	ld_buf_release(&ans);
	free(body);
	return rc;
}
