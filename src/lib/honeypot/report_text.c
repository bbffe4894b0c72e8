/* Honeypot report as a text table and as JSON (docs/honeypot.md has the JSON fields). Attacker
 * strings in the table have control characters replaced (a payload must not drive the reader's
 * terminal) and are cut to the column. */
#include "util/common.h"
#include "util/term.h"
#include "util/jsonw.h"
#include "honeypot/analysis.h"

#define SESSIONS_IN_TABLE 50 /* rows of the session list in the table (JSON has all) */

/* Terminal-safe, width-limited copy of an attacker string. */
static size_t cell(ld_buf *b, const char *s, size_t width)
{
	size_t n = 0;
	for (; s && *s && n < width; s++, n++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f) {
			ld_buf_addc(b, '?');
		} else if (c >= 0x80) {
			/* copy a whole UTF-8 sequence (one column), stopping at malformed bytes */
			size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			size_t k = 1;
			while (k < len && ((unsigned char)s[k] & 0xc0) == 0x80)
				k++;
			if (k == len && len > 1 &&
			    !(c >= 0xc2 && c <= 0xc3 && (unsigned char)s[1] < 0xa0)) {
				ld_buf_add(b, s, len);
				s += len - 1;
			} else {
				ld_buf_addc(b, '?');
			}
		} else {
			ld_buf_addc(b, (char)c);
		}
	}
	if (s && *s) {
		ld_buf_adds(b, "..."); /* cut */
		n += 3;
	}
	return n;
}

static void section(ld_buf *b, const char *title, const lading_honeypot_count *rows, size_t n,
		    const char *keyname, const char *what, size_t keywidth, bool labels)
{
	ld_buf_addf(b, "\n%s\n", title);
	if (!n) {
		ld_buf_adds(b, "  (none)\n");
		return;
	}
	ld_buf_addf(b, "  %-*s %8s %7s%s\n", (int)keywidth, keyname, what, "SHARE",
		    labels ? "  DESCRIPTION" : "");
	for (size_t i = 0; i < n; i++) {
		size_t w;
		ld_buf_adds(b, "  ");
		w = cell(b, rows[i].key, keywidth);
		for (; w < keywidth; w++)
			ld_buf_addc(b, ' ');
		ld_buf_addf(b, " %8" PRIu64 " %6.1f%%", rows[i].count, rows[i].share * 100.0);
		if (labels && rows[i].label) {
			ld_buf_adds(b, "  ");
			cell(b, rows[i].label, 80);
		}
		ld_buf_addc(b, '\n');
	}
}

int ld_hp_report_table(ld_buf *b, const lading_honeypot_report *r)
{
	size_t start = b->len;
	double auto_share = r->nsessions ? (double)r->automated / (double)r->nsessions : 0.0;
	ld_buf_addf(b, "Honeypot report: %" PRIu64 " events from %" PRIu64 " file(s)", r->events,
		    r->files);
	if (r->first)
		ld_buf_addf(b, ", %s to %s", r->first, r->last);
	ld_buf_addc(b, '\n');
	if (r->bad_lines)
		ld_buf_addf(b, "Skipped lines: %" PRIu64 "\n", r->bad_lines);
	ld_buf_addf(b,
		    "Sources: %" PRIu64 "   connections: %" PRIu64 "   attack sessions: %" PRIu64
		    "   automated: %" PRIu64 " (%.1f%%)   manual: %" PRIu64 " (%.1f%%)\n",
		    r->sources, r->connections, r->nsessions, r->automated, auto_share * 100.0,
		    r->manual, r->nsessions ? 100.0 - auto_share * 100.0 : 0.0);
	ld_buf_addf(b, "Countries: %s\n",
		    r->geoip_description ? r->geoip_description : "no GeoIP database given");

	section(b, "Attack types (primary type of each session)", r->by_type, r->nby_type, "TYPE",
		"SESSIONS", 24, true);
	section(b, "Source countries (sessions)", r->by_country, r->nby_country, "COUNTRY",
		"SESSIONS", 8, false);
	section(b, "Source countries (distinct sources)", r->sources_by_country,
		r->nsources_by_country, "COUNTRY", "SOURCES", 8, false);
	section(b, "Services (sessions touching each)", r->by_service, r->nby_service, "SERVICE",
		"SESSIONS", 16, false);
	section(b, "Automated or manual (deciding rule)", r->by_reason, r->nby_reason, "RULE",
		"SESSIONS", 24, false);
	section(b, "Top payloads (sha256; example)", r->top_payloads, r->ntop_payloads, "SHA256",
		"SESSIONS", 64, true);
	section(b, "Top images", r->top_images, r->ntop_images, "IMAGE", "SESSIONS", 48, false);
	section(b, "Top commands", r->top_commands, r->ntop_commands, "COMMAND", "SESSIONS", 72,
		false);
	section(b, "Top user names", r->top_users, r->ntop_users, "USER", "SESSIONS", 24, false);
	section(b, "Top passwords", r->top_passwords, r->ntop_passwords, "PASSWORD", "SESSIONS", 24,
		false);
	section(b, "Top user agents", r->top_user_agents, r->ntop_user_agents, "USER AGENT",
		"SESSIONS", 48, false);

	ld_buf_addf(b, "\nAttack sessions%s\n",
		    r->nsession_rows > SESSIONS_IN_TABLE ? " (first 50; JSON has all)" : "");
	ld_buf_addf(b, "  %-39s %-3s %-27s %6s %6s %-9s %-18s %-24s %s\n", "SOURCE", "CC", "FIRST",
		    "STEPS", "CONNS", "AUTOMATED", "RULE", "TYPE", "SERVICES");
	for (size_t i = 0; i < r->nsession_rows && i < SESSIONS_IN_TABLE; i++) {
		const lading_honeypot_session *s = &r->sessions[i];
		/* every column through cell(): a log is input too */
		const char *col[] = {s->src_ip, s->country, s->first};
		const size_t width[] = {39, 3, 27};
		ld_buf_adds(b, "  ");
		for (size_t k = 0; k < 3; k++) {
			size_t w = cell(b, col[k], width[k]);
			for (; w <= width[k]; w++)
				ld_buf_addc(b, ' ');
		}
		ld_buf_addf(b, "%6" PRIu64 " %6" PRIu64 " %-9s ", s->steps, s->connections,
			    s->automated ? "yes" : "no");
		{
			size_t w = cell(b, s->why, 18);
			for (; w <= 18; w++)
				ld_buf_addc(b, ' ');
			w = cell(b, s->type, 24);
			for (; w <= 24; w++)
				ld_buf_addc(b, ' ');
		}
		cell(b, s->services, 80);
		ld_buf_addc(b, '\n');
	}
	ld_buf_term_sanitize(b, start, true); /* the shared net (util/term.h) over what cell() missed */
	return ld_buf_error(b);
}

static void rows(ld_jw *w, const char *key, const lading_honeypot_count *rows, size_t n,
		 const char *what)
{
	ld_jw_key(w, key);
	ld_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		ld_jw_obj(w);
		ld_jw_kstr(w, "key", rows[i].key);
		ld_jw_kstr_opt(w, "label", rows[i].label);
		ld_jw_key(w, what);
		ld_jw_u64(w, rows[i].count);
		ld_jw_key(w, "share");
		ld_jw_fixed(w, rows[i].share, 4);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
}

int ld_hp_report_json(ld_buf *b, const lading_honeypot_report *r)
{
	ld_jw w;
	ld_jw_init(&w, b, true);
	ld_jw_obj(&w);
	ld_jw_key(&w, "tool");
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "name", "lading");
	ld_jw_kstr(&w, "version", LADING_VERSION);
	ld_jw_obj_end(&w);
	ld_jw_kstr(&w, "rules", r->rules_path);
	ld_jw_kstr(&w, "geoip", r->geoip_description);
#define U(k, v)                                                                                    \
	do {                                                                                       \
		ld_jw_key(&w, k);                                                                  \
		ld_jw_u64(&w, v);                                                                  \
	} while (0)
	U("files", r->files);
	U("lines", r->lines);
	U("bad_lines", r->bad_lines);
	U("events", r->events);
	ld_jw_kstr(&w, "first", r->first);
	ld_jw_kstr(&w, "last", r->last);
	U("sources", r->sources);
	U("connections", r->connections);
	U("sessions", r->nsessions);
	U("automated", r->automated);
	U("manual", r->manual);
#undef U
	ld_jw_key(&w, "automated_share");
	ld_jw_fixed(&w, r->nsessions ? (double)r->automated / (double)r->nsessions : 0.0, 4);
	rows(&w, "by_type", r->by_type, r->nby_type, "sessions");
	rows(&w, "by_country", r->by_country, r->nby_country, "sessions");
	rows(&w, "sources_by_country", r->sources_by_country, r->nsources_by_country, "sources");
	rows(&w, "by_service", r->by_service, r->nby_service, "sessions");
	rows(&w, "automation", r->by_reason, r->nby_reason, "sessions");
	ld_jw_key(&w, "top");
	ld_jw_obj(&w);
	rows(&w, "payloads", r->top_payloads, r->ntop_payloads, "sessions");
	rows(&w, "images", r->top_images, r->ntop_images, "sessions");
	rows(&w, "commands", r->top_commands, r->ntop_commands, "sessions");
	rows(&w, "usernames", r->top_users, r->ntop_users, "sessions");
	rows(&w, "passwords", r->top_passwords, r->ntop_passwords, "sessions");
	rows(&w, "user_agents", r->top_user_agents, r->ntop_user_agents, "sessions");
	ld_jw_obj_end(&w);
	ld_jw_key(&w, "attack_sessions");
	ld_jw_arr(&w);
	for (size_t i = 0; i < r->nsession_rows; i++) {
		const lading_honeypot_session *s = &r->sessions[i];
		ld_jw_obj(&w);
		ld_jw_kstr(&w, "src_ip", s->src_ip);
		ld_jw_kstr(&w, "country", s->country);
		ld_jw_kstr(&w, "first", s->first);
		ld_jw_kstr(&w, "last", s->last);
		ld_jw_key(&w, "steps");
		ld_jw_u64(&w, s->steps);
		ld_jw_key(&w, "connections");
		ld_jw_u64(&w, s->connections);
		ld_jw_kstr(&w, "services", s->services);
		ld_jw_kbool(&w, "automated", s->automated);
		ld_jw_kstr(&w, "why", s->why);
		ld_jw_kstr(&w, "type", s->type);
		ld_jw_kstr(&w, "types", s->types);
		ld_jw_key(&w, "median_gap_s");
		if (s->median_gap_s < 0)
			ld_jw_null(&w);
		else
			ld_jw_fixed(&w, s->median_gap_s, 3);
		ld_jw_obj_end(&w);
	}
	ld_jw_arr_end(&w);
	ld_jw_obj_end(&w);
	return ld_jw_finish(&w);
}
