/* lading_inventory_gate: an admission decision on a stored image. Its stored findings become
 * lading_findings and go through match/policy.c (the code `scan` runs for --ignore-file and
 * --vex), then the --fail-on / --fail-on-kev gate of lading_scan_violates. */
#include "api/inventory_doc.h"
#include "match/match.h"
#include "api/policy.h"

/* Named limits. */
#define GATE_MAX_ALIASES 64   /* aliases of one stored finding looked at */
#define GATE_MESSAGE_MAX 4096 /* bytes of the message naming blocking findings */

static const char **split(ld_arena *a, const char *s, size_t *n)
{
	const char **v = ld_arena_array(a, GATE_MAX_ALIASES, sizeof(char *));
	ld_slice rest = ld_slice_cstr(s ? s : ""), tok;
	*n = 0;
	while (v && rest.len && *n < GATE_MAX_ALIASES) {
		ld_slice_cut(&rest, ' ', &tok);
		tok = ld_slice_trim(tok);
		if (tok.len && !(v[*n] = ld_arena_slice(a, tok)))
			return NULL;
		*n += tok.len > 0;
	}
	return v;
}

/* The stored findings of one image as the match stage's result. */
static int to_result(ld_match_result *r, const inv_image *im)
{
	for (size_t i = 0; i < im->findings.len; i++) {
		const inv_finding *sf = ld_vec_at(&im->findings, i);
		lading_package *p = ld_arena_alloc(&r->arena, sizeof(*p));
		lading_finding *f = ld_vec_push(&r->findings);
		if (!p || !f)
			return LADING_ENOMEM;
		memset(f, 0, sizeof(*f));
		p->name = sf->name;
		p->version = sf->version;
		p->type = sf->type;
		p->purl = sf->purl;
		p->source_name = sf->source_name;
		p->epoch = -1;
		p->layer = (int)sf->layer;
		f->id = sf->vuln;
		if (!(f->aliases = split(&r->arena, sf->aliases, &f->alias_count)))
			return LADING_ENOMEM;
		f->package = p;
		f->package_index = i;
		f->status = sf->status;
		f->severity = sf->severity >= 0 && sf->severity <= LADING_SEVERITY_CRITICAL ? (lading_severity)sf->severity
											    : LADING_SEVERITY_UNKNOWN;
		f->kev = sf->kev;
		f->cvss_score = sf->cvss;
		f->epss_score = sf->epss;
		f->fixed_count = sf->fixed && *sf->fixed ? 1 : 0;
	}
	return 0;
}

static void gate(const ld_match_result *r, int fail_on, int fail_on_kev, size_t shown, lading_gate *out, ld_buf *msg)
{
	for (size_t i = 0; i < r->findings.len; i++) {
		const lading_finding *f = ld_vec_at(&r->findings, i);
		if (f->suppressed) {
			out->suppressed++;
			continue;
		}
		if (!((fail_on >= 0 && (int)f->severity >= fail_on) || (fail_on_kev && f->kev)))
			continue;
		if (out->blocking++ < shown)
			ld_buf_addf(msg, "%s%s (%s %s, %s%s)", msg->len ? " " : "", f->id, f->package->name,
				    f->package->version ? f->package->version : "?", lading_severity_name(f->severity),
				    f->kev ? ", known exploited" : "");
	}
	if (out->blocking > shown)
		ld_buf_addf(msg, " and %zu more", out->blocking - shown);
	out->blocked = out->blocking > 0;
}

int lading_inventory_gate(lading_store *s, lading_ctx *ctx, const char *image, const lading_scan_options *policy,
			  int fail_on, int fail_on_kev, size_t shown, lading_gate *out, char **message)
{
	lading_scan_options po = LADING_SCAN_OPTIONS_INIT;
	ld_match_result r;
	ld_buf msg;
	inv_doc d;
	int rc;

	ld_error_clear(ctx);
	memset(out, 0, sizeof(*out));
	*message = NULL;
	s->ctx = ctx;
	inv_doc_init(&d);
	ld_match_result_init(&r);
	ld_buf_init(&msg, GATE_MESSAGE_MAX);
	if ((rc = inv_doc_by_image(&d, s, image)))
		goto out;
	if (!d.images.len)
		goto out;
	out->known = 1;
	if ((rc = to_result(&r, *(inv_image **)ld_vec_at(&d.images, 0)))) {
		rc = ld_error_set(ctx, rc, "out of memory");
		goto out;
	}
	/* only what decides admission: suppressions, not the report's filters */
	if (policy) {
		po.ignore_file = policy->ignore_file;
		po.vex_files = policy->vex_files;
		po.vex_count = policy->vex_count;
		po.today = policy->today;
	}
	if ((rc = ld_match_policy(&r, &po, ctx)))
		goto out;
	gate(&r, fail_on, fail_on_kev, shown, out, &msg);
	if (out->blocked) {
		size_t n;
		if (ld_buf_error(&msg))
			ld_buf_clear(&msg), ld_buf_adds(&msg, "(message too long)");
		if (!(*message = ld_buf_detach(&msg, &n)))
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
out:
	ld_buf_release(&msg);
	ld_match_result_release(&r);
	inv_doc_release(&d);
	return rc;
}

/* A policy's ignore file and VEX documents read once, so a server refuses a bad one at start
 * rather than at its first admission. */
int ld_inv_policy_check(const lading_scan_options *policy, lading_ctx *ctx)
{
	ld_match_result r;
	int rc;
	if (!policy || (!policy->ignore_file && !policy->vex_count))
		return 0;
	ld_match_result_init(&r);
	rc = ld_match_policy(&r, policy, ctx);
	ld_match_result_release(&r);
	return rc;
}
