/* Notification bodies and their signature (docs/service.md "Notifications"): the lading JSON body,
 * the Slack-compatible body, the HMAC header, and the small parsers of the webhook settings (event
 * lists, durations). Pure functions over their arguments: unit-tested (tests/unit/service) and
 * fuzzed (fuzz/fuzz_notify.c). */
#include "util/common.h"
#include "util/hash.h"
#include "util/jsonw.h"
#include "lading/scan.h"
#include "service/service.h"

/* Named limits */
#define EVENTS_LIST_MAX 256	      /* bytes of an --events list */
#define DURATION_MAX_S (30u * 86400u) /* --rescan-interval at most 30 days */
#define SLACK_LINES 10		      /* findings listed in a Slack message; the rest counted */

static const struct {
	const char *name;
	unsigned bit;
} event_names[] = {
	{"finding.new", LD_EV_NEW},
	{"finding.resolved", LD_EV_RESOLVED},
	{"kev.added", LD_EV_KEV},
};
#define NEVENTS (sizeof(event_names) / sizeof(event_names[0]))

const char *ld_notify_event_name(unsigned bit)
{
	for (size_t i = 0; i < NEVENTS; i++)
		if (event_names[i].bit == bit)
			return event_names[i].name;
	return NULL;
}

int ld_notify_events_parse(const char *p, size_t len, unsigned *mask)
{
	size_t i = 0;
	*mask = 0;
	if (len > EVENTS_LIST_MAX)
		return LADING_ELIMIT;
	while (i < len) {
		size_t j = i;
		bool known = false;
		while (j < len && p[j] != ',' && p[j] != ' ')
			j++;
		for (size_t k = 0; j > i && k < NEVENTS; k++) {
			if (strlen(event_names[k].name) == j - i &&
			    !memcmp(p + i, event_names[k].name, j - i)) {
				*mask |= event_names[k].bit;
				known = true;
			}
		}
		if (j > i && !known)
			return LADING_EINVALID;
		i = j + 1;
	}
	return *mask ? 0 : LADING_EINVALID;
}

void ld_notify_events_format(unsigned mask, char *out, size_t outsz)
{
	ld_buf b;
	ld_buf_init(&b, outsz);
	for (size_t i = 0; i < NEVENTS; i++)
		if (mask & event_names[i].bit)
			ld_buf_addf(&b, "%s%s", b.len ? " " : "", event_names[i].name);
	ld_strlcpy(out, ld_buf_error(&b) ? "" : ld_buf_cstr(&b), outsz);
	ld_buf_release(&b);
}

int ld_notify_duration_parse(const char *p, size_t len, unsigned *seconds)
{
	uint64_t v = 0, mul = 1;
	size_t i = 0;
	*seconds = 0;
	while (i < len && p[i] >= '0' && p[i] <= '9' && v <= DURATION_MAX_S)
		v = v * 10 + (uint64_t)(p[i++] - '0');
	if (!i || v > DURATION_MAX_S)
		return LADING_EINVALID;
	if (i < len) {
		if (i + 1 != len)
			return LADING_EINVALID;
		switch (p[i]) {
		case 's':
			mul = 1;
			break;
		case 'm':
			mul = 60;
			break;
		case 'h':
			mul = 3600;
			break;
		case 'd':
			mul = 86400;
			break;
		default:
			return LADING_EINVALID;
		}
	}
	v *= mul;
	if (!v || v > DURATION_MAX_S)
		return LADING_EINVALID;
	*seconds = (unsigned)v;
	return 0;
}

int lading_duration_parse(const char *s, unsigned *seconds)
{
	*seconds = 0;
	return s ? ld_notify_duration_parse(s, strlen(s), seconds) : LADING_EINVALID;
}

void ld_notify_sign(const char *secret, size_t slen, const char *body, size_t blen,
		    char out[LD_NOTIFY_SIG_LEN])
{
	char hex[65];
	ld_hmac_sha256_hex(secret, slen, body, blen, hex);
	ld_snprintf(out, LD_NOTIFY_SIG_LEN, "sha256=%s", hex);
}

static void finding_json(ld_jw *w, const ld_notify_finding *f)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "vulnerability", f->vuln);
	ld_jw_kstr(w, "severity", lading_severity_name((lading_severity)f->severity));
	ld_jw_kbool(w, "kev", f->kev != 0);
	if (f->epss >= 0) {
		ld_jw_key(w, "epss");
		ld_jw_fixed(w, f->epss, 5);
	}
	if (f->cvss >= 0) {
		ld_jw_key(w, "cvss");
		ld_jw_fixed(w, f->cvss, 1);
	}
	ld_jw_kstr_opt(w, "fixed", f->fixed);
	ld_jw_kstr_opt(w, "change", f->change);
	ld_jw_key(w, "package");
	ld_jw_obj(w);
	ld_jw_kstr(w, "type", f->type);
	ld_jw_kstr(w, "name", f->name);
	ld_jw_kstr(w, "version", f->version);
	ld_jw_obj_end(w);
	ld_jw_obj_end(w);
}

int ld_notify_body_lading(const ld_notify_event *e, ld_buf *out)
{
	ld_jw w;
	size_t n = e->nfindings < LD_NOTIFY_BODY_FINDINGS ? e->nfindings : LD_NOTIFY_BODY_FINDINGS;
	ld_jw_init(&w, out, false);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "id", e->uid);
	ld_jw_kstr(&w, "type", e->type);
	ld_jw_kstr(&w, "created", e->created);
	ld_jw_kstr(&w, "trigger", e->trigger);
	ld_jw_key(&w, "image");
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "digest", e->digest);
	ld_jw_key(&w, "refs");
	ld_jw_arr(&w);
	for (size_t i = 0; i < e->nrefs; i++)
		ld_jw_str(&w, e->refs[i]);
	ld_jw_arr_end(&w);
	ld_jw_ki64(&w, "running_containers", e->running);
	ld_jw_obj_end(&w);
	ld_jw_key(&w, "findings");
	ld_jw_arr(&w);
	for (size_t i = 0; i < n; i++)
		finding_json(&w, &e->findings[i]);
	ld_jw_arr_end(&w);
	ld_jw_ki64(&w, "findings_total", (int64_t)e->nfindings);
	ld_jw_obj_end(&w);
	ld_jw_finish(&w);
	return ld_buf_error(out) ? LADING_ELIMIT : 0;
}

/* Slack's mrkdwn: &, < and > are its control characters and must be escaped. */
static void mrkdwn(ld_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '&')
			ld_buf_adds(b, "&amp;");
		else if (*s == '<')
			ld_buf_adds(b, "&lt;");
		else if (*s == '>')
			ld_buf_adds(b, "&gt;");
		else if ((unsigned char)*s >= 0x20)
			ld_buf_addc(b, *s);
	}
}

static const char *what_of(const char *type, bool one)
{
	if (!strcmp(type, "finding.new"))
		return one ? "new finding" : "new findings";
	if (!strcmp(type, "finding.resolved"))
		return one ? "resolved finding" : "resolved findings";
	return one ? "finding now known exploited" : "findings now known exploited";
}

/* The headline: "3 new findings in HOST/REPO:TAG (sha256:abc...), 2 running containers" */
static void headline(ld_buf *t, const ld_notify_event *e)
{
	char shortd[24];
	ld_digest_short(e->digest ? e->digest : "", shortd);
	ld_buf_addf(t, "lading: %zu %s in ", e->nfindings,
		    what_of(e->type ? e->type : "", e->nfindings == 1));
	mrkdwn(t, e->nrefs ? e->refs[0] : shortd);
	ld_buf_adds(t, " (");
	mrkdwn(t, shortd);
	ld_buf_addf(t, "), %" PRId64 " running container%s", e->running,
		    e->running == 1 ? "" : "s");
}

static void finding_line(ld_buf *t, const ld_notify_finding *f)
{
	ld_buf_adds(t, "\n\xe2\x80\xa2 *");
	mrkdwn(t, f->vuln);
	ld_buf_addf(t, "* %s%s in ", lading_severity_name((lading_severity)f->severity),
		    f->kev ? ", KEV" : "");
	mrkdwn(t, f->name);
	ld_buf_addc(t, ' ');
	mrkdwn(t, f->version);
	if (f->fixed && *f->fixed) {
		ld_buf_adds(t, ", fixed in ");
		mrkdwn(t, f->fixed);
	}
}

int ld_notify_body_slack(const ld_notify_event *e, ld_buf *out)
{
	ld_buf head, list;
	ld_jw w;
	size_t n = e->nfindings < SLACK_LINES ? e->nfindings : SLACK_LINES;
	int rc = 0;
	ld_buf_init(&head, 4096);
	ld_buf_init(&list, 16384);
	headline(&head, e);
	for (size_t i = 0; i < n; i++)
		finding_line(&list, &e->findings[i]);
	if (e->nfindings > n)
		ld_buf_addf(&list, "\n_and %zu more_", e->nfindings - n);
	if (ld_buf_error(&head) || ld_buf_error(&list)) {
		rc = LADING_ELIMIT;
		goto out;
	}
	ld_jw_init(&w, out, false);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "text", ld_buf_cstr(&head));
	ld_jw_key(&w, "blocks");
	ld_jw_arr(&w);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "type", "section");
	ld_jw_key(&w, "text");
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "type", "mrkdwn");
	ld_jw_kstr(&w, "text", ld_buf_cstr(&head));
	ld_jw_obj_end(&w);
	ld_jw_obj_end(&w);
	if (list.len) {
		ld_jw_obj(&w);
		ld_jw_kstr(&w, "type", "section");
		ld_jw_key(&w, "text");
		ld_jw_obj(&w);
		ld_jw_kstr(&w, "type", "mrkdwn");
		ld_jw_kstr(&w, "text", ld_buf_cstr(&list) + 1);
		ld_jw_obj_end(&w);
		ld_jw_obj_end(&w);
	}
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "type", "context");
	ld_jw_key(&w, "elements");
	ld_jw_arr(&w);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "type", "mrkdwn");
	ld_jw_kstr(&w, "text", e->uid);
	ld_jw_obj_end(&w);
	ld_jw_arr_end(&w);
	ld_jw_obj_end(&w);
	ld_jw_arr_end(&w);
	ld_jw_obj_end(&w);
	ld_jw_finish(&w);
	rc = ld_buf_error(out) ? LADING_ELIMIT : 0;
out:
	ld_buf_release(&head);
	ld_buf_release(&list);
	return rc;
}
