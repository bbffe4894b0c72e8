/* Events: one JSON object per line, common fields first in a fixed order (eventid, timestamp,
 * session, sensor, service, src_ip, src_port, dst_port), then the parsed "request", then the
 * payload's sha256 and size. Built in one reusable buffer (the loop is single-threaded) and
 * handed to the log writer whole. */
#include <time.h>

#include "util/common.h"
#include "util/hash.h"
#include "honeypot/hp.h"

void ld_hp_timestamp(char out[32])
{
	/* gmtime_r once per second; the loop logs tens of thousands of events a second */
	static __thread time_t cached_sec = -1;
	static __thread char cached[24];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != cached_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = ts.tv_sec;
	}
	ld_snprintf(out, 32, "%s.%06ldZ", cached, (long)(ts.tv_nsec / 1000));
}

static ld_jw *begin_common(struct ld_hp_shared *sh, const char *eventid)
{
	char ts[32];
	ld_buf_clear(&sh->ev);
	ld_jw_init(&sh->jw, &sh->ev, false);
	sh->has_payload = false;
	ld_hp_timestamp(ts);
	ld_jw_obj(&sh->jw);
	ld_jw_kstr(&sh->jw, "eventid", eventid);
	ld_jw_kstr(&sh->jw, "timestamp", ts);
	return &sh->jw;
}

ld_jw *ld_hp_event_begin(ld_hp_conn *c, const char *eventid)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_jw *w = begin_common(sh, eventid);
	c->truncated = false;
	sh->closing_event = !strcmp(eventid, "session.closed");
	ld_jw_kstr(w, "session", c->session);
	ld_jw_kstr(w, "sensor", sh->sensor);
	ld_jw_kstr(w, "service", ld_hp_service(c->service)->opt.name);
	ld_jw_kstr(w, "src_ip", c->src_ip);
	ld_jw_ki64(w, "src_port", c->src_port);
	ld_jw_ki64(w, "dst_port", c->dst_port);
	ld_jw_key(w, "request");
	ld_jw_obj(w);
	return w;
}

void ld_hp_event_payload(ld_hp_conn *c, const void *p, size_t n)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_sha256_buf(p, n, sh->payload_digest);
	sh->payload_size = n;
	sh->has_payload = true;
}

void ld_hp_event_payload_digest(ld_hp_conn *c, const char digest[72], uint64_t size)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	memcpy(sh->payload_digest, digest, sizeof(sh->payload_digest));
	sh->payload_size = size;
	sh->has_payload = true;
}

static void suppress(ld_hp_conn *c, size_t bytes)
{
	c->suppressed++;
	c->suppressed_bytes += bytes;
}

/* The one summary of a session past its event cap; what follows is counted in session.closed. */
static void session_capped(ld_hp_conn *c)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_jw *w = ld_hp_event_begin(c, "session.capped");
	sh->closing_event = false;
	ld_jw_kstr(w, "cap", "session-events");
	ld_jw_ki64(w, "limit", sh->session_events);
	ld_jw_obj_end(w);
	ld_jw_obj_end(w);
	if (!ld_buf_error(&sh->ev) && ld_hp_source_admit(c, sh->ev.len))
		ld_hp_log_append(sh->log, sh->ev.ptr, sh->ev.len);
}

/* Whether the event just built may be written: the session's event cap (session.closed is
 * exempt: it carries the counts of what was left out), then its source's byte budget. */
static bool admit(ld_hp_conn *c, size_t len)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	if (!sh->closing_event && sh->session_events && c->events >= sh->session_events) {
		suppress(c, len);
		if (!c->capped) {
			c->capped = true;
			session_capped(c);
		}
		return false;
	}
	if (!ld_hp_source_admit(c, len)) {
		suppress(c, len);
		return false;
	}
	c->events++;
	return true;
}

void ld_hp_event_end(ld_hp_conn *c)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_jw *w = &sh->jw;
	ld_jw_obj_end(w);
	if (c->truncated)
		ld_jw_kbool(w, "truncated", true);
	if (sh->has_payload) {
		/* "sha256:<hex>" from util/hash; the schema wants the bare hex */
		ld_jw_kstr(w, "payload_sha256", sh->payload_digest + 7);
		ld_jw_ki64(w, "payload_size", (int64_t)sh->payload_size);
	}
	ld_jw_obj_end(w);
	if (ld_buf_error(&sh->ev))
		return; /* an event can only overflow its 1 MiB buffer by a bug; drop it */
	if (admit(c, sh->ev.len))
		ld_hp_log_append(sh->log, sh->ev.ptr, sh->ev.len);
}

/* How many of n attacker bytes this session may still keep in the log. */
static size_t keep(ld_hp_conn *c, size_t n)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	size_t k = LD_MIN(n, (size_t)LD_HP_FIELD_MAX);
	uint64_t left = sh->session_keep > c->kept ? sh->session_keep - c->kept : 0;
	if (k > left)
		k = (size_t)left;
	if (k < n)
		c->truncated = true;
	c->kept += k;
	return k;
}

void ld_hp_kstr(ld_hp_conn *c, const char *key, const void *p, size_t n)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_jw_key(&sh->jw, key);
	ld_hp_str(c, p, n);
}

void ld_hp_kslice(ld_hp_conn *c, const char *key, ld_slice s)
{
	ld_hp_kstr(c, key, s.ptr, s.len);
}

void ld_hp_str(ld_hp_conn *c, const void *p, size_t n)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	size_t k = keep(c, n);
	const unsigned char *u = p;
	/* back off to a UTF-8 boundary so a cut never leaves half a character */
	if (k < n)
		while (k && (u[k] & 0xC0) == 0x80)
			k--;
	ld_jw_strn(&sh->jw, p ? (const char *)p : "", p ? k : 0);
}

ld_jw *ld_hp_event_begin_sensor(ld_hp *hp, const char *eventid)
{
	struct ld_hp_shared *sh = ld_hp_shared(hp);
	ld_jw *w = begin_common(sh, eventid);
	ld_jw_kstr(w, "sensor", sh->sensor);
	return w;
}

void ld_hp_event_end_sensor(ld_hp *hp)
{
	struct ld_hp_shared *sh = ld_hp_shared(hp);
	ld_jw_obj_end(&sh->jw);
	if (!ld_buf_error(&sh->ev))
		ld_hp_log_append(sh->log, sh->ev.ptr, sh->ev.len);
}
