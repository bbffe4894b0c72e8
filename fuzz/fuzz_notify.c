/* Fuzz the notification settings' parsers (--events lists, --rescan-interval durations) and the
 * body builders: whatever strings an image put in its package names or a feed in its ids, the
 * lading and Slack bodies are valid JSON within their cap. */
#include "util/common.h"
#include "util/json.h"
#include "service/service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS 6

static void body_parses(int (*build)(const ld_notify_event *, ld_buf *), const ld_notify_event *e)
{
	ld_buf b;
	ld_arena a;
	ld_json *j = NULL;
	lading_ctx *ctx = NULL;
	ld_buf_init(&b, LD_NOTIFY_BODY_MAX);
	ld_arena_init(&a, 0);
	if (!lading_ctx_new(&ctx) && build(e, &b) == 0 &&
	    ld_json_parse(&j, &a, b.ptr, b.len, NULL, ctx, "body") != 0)
		__builtin_trap();
	lading_ctx_free(ctx);
	ld_arena_release(&a);
	ld_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	char *copy;
	const char *f[FIELDS];
	unsigned mask = 0, secs = 0;
	size_t nf = 0;
	if (ld_notify_events_parse(p, size, &mask) == 0 && (!mask || (mask & ~(unsigned)LD_EV_ALL)))
		__builtin_trap();
	if (ld_notify_duration_parse(p, size, &secs) == 0 && (!secs || secs > 30u * 86400u))
		__builtin_trap();
	/* the input split on newlines: vulnerability, package type, name, version, fixed, reference
	 */
	if (!(copy = ld_strndup(p, size)))
		return 0;
	for (char *s = copy; nf < FIELDS; nf++) {
		char *nl = strchr(s, '\n');
		f[nf] = s;
		if (!nl) {
			nf++;
			break;
		}
		*nl = '\0';
		s = nl + 1;
	}
	while (nf < FIELDS)
		f[nf++] = "";
	ld_notify_finding fi = {
		f[0], f[1], f[2], f[3], f[4], "kev", (int)(size % 5), (int)(size & 1), 0.5, 7.5};
	const char *refs[1] = {f[5]};
	ld_notify_event e = {
		"evt_0", "kev.added", "2026-12-07T00:00:00Z", "rescan", f[5], refs, 1, 2, &fi, 1};
	body_parses(ld_notify_body_lading, &e);
	body_parses(ld_notify_body_slack, &e);
	free(copy);
	return 0;
}
