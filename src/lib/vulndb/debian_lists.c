/* Debian security tracker lists: data/DSA/list and data/DLA/list.
 *
 *   [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *   	{CVE-2023-1393}
 *   	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 *   	NOTE: fixed in testing at time of DSA
 *
 * A header starts at column 0; the lines below it are indented (a tab, or 8 spaces in some old
 * entries). One advisory per header; one affected entry per "[codename] - package version" line,
 * where version may be a marker: <not-affected>, <unfixed>, <end-of-life>. Old lines carry
 * annotations in parentheses: "(medium)", "(bug #123456; low)", "<not-affected> (reason)". Old
 * headers have no "-N" revision (DSA-135) or "--" as separator, announcements have no package
 * ("DSA-4205-1 jessie end-of-life"). docs/vulndb.md has the mapping. */
#include "util/common.h"
#include "vulndb/feed.h"
#include "vulndb/importers.h"

/* Named limits. The real DSA list is 0.9 MB with 5,406 entries; the most IDs in one advisory are
 * 139, the most package lines 20. */
#define DLIST_MAX_FILE ((size_t)256 << 20) /* bytes of one list */
#define DLIST_MAX_IDS 4096u		   /* IDs in one advisory */
#define DLIST_MAX_PKGS 1024u		   /* [release] lines in one advisory */
#define DLIST_MAX_NOTES 8192u		   /* bytes of NOTE text kept per advisory */
#define DLIST_MAX_TOKEN 256u		   /* one package name or version */

/* ------------------------------------------------------------------ codenames */

static const struct {
	const char *codename, *ecosystem;
} debian_releases[] = {
	{"buzz", "Debian:1.1"},		 {"rex", "Debian:1.2"},	    {"bo", "Debian:1.3"},
	{"hamm", "Debian:2.0"},		 {"slink", "Debian:2.1"},   {"potato", "Debian:2.2"},
	{"woody", "Debian:3.0"},	 {"sarge", "Debian:3.1"},   {"etch", "Debian:4"},
	{"lenny", "Debian:5"},		 {"squeeze", "Debian:6"},   {"wheezy", "Debian:7"},
	{"jessie", "Debian:8"},		 {"stretch", "Debian:9"},   {"buster", "Debian:10"},
	{"bullseye", "Debian:11"},	 {"bookworm", "Debian:12"}, {"trixie", "Debian:13"},
	{"forky", "Debian:14"},		 {"duke", "Debian:15"},	    {"sid", "Debian:unstable"},
	{"unstable", "Debian:unstable"},
};

const char *ld_vdb_debian_ecosystem(const char *codename, size_t len)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(debian_releases); i++)
		if (strlen(debian_releases[i].codename) == len &&
		    memcmp(debian_releases[i].codename, codename, len) == 0)
			return debian_releases[i].ecosystem;
	return NULL;
}

/* ------------------------------------------------------------------ one advisory */

typedef struct pkgline {
	const char *eco;
	char name[DLIST_MAX_TOKEN];
	char version[DLIST_MAX_TOKEN]; /* empty with a marker */
	const char *status;	       /* NULL, "not-affected", "unfixed", "wontfix" */
	const char *severity;	       /* "(medium)" annotations of old entries */
} pkgline;

typedef struct adv_state {
	bool open; /* a header was parsed and the advisory is being collected */
	char id[64];
	char date[16]; /* YYYY-MM-DD */
	char summary[1024];
	char url[160];
	size_t nids;
	char *ids[DLIST_MAX_IDS];
	size_t npk;
	pkgline *pk; /* DLIST_MAX_PKGS */
	ld_buf notes;
} adv_state;

static void adv_reset(adv_state *s)
{
	for (size_t i = 0; i < s->nids; i++)
		free(s->ids[i]);
	s->nids = 0;
	s->npk = 0;
	s->open = false;
	ld_buf_clear(&s->notes);
}

static int emit(adv_state *s, const ld_vdb_sink *out, const char *source, ld_vdb_import_result *res,
		lading_ctx *ctx)
{
	ld_vdb_affected *affs = NULL;
	ld_vdb_range *rng = NULL;
	ld_vdb_event *ev = NULL;
	ld_vdb_advisory a;
	int rc = 0;

	if (!s->open)
		return 0;
	if (s->npk) {
		affs = calloc(s->npk, sizeof(*affs));
		rng = calloc(s->npk, sizeof(*rng));
		ev = calloc(s->npk, 2 * sizeof(*ev));
		if (!affs || !rng || !ev) {
			rc = ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", source);
			goto out;
		}
	}
	for (size_t i = 0; i < s->npk; i++) {
		const pkgline *p = &s->pk[i];
		affs[i].ecosystem = p->eco;
		affs[i].package = p->name;
		affs[i].status = p->status;
		affs[i].severity = p->severity;
		affs[i].severity_raw = p->severity;
		if (!p->status) {
			ev[2 * i] = (ld_vdb_event){"introduced", "0"};
			ev[2 * i + 1] = (ld_vdb_event){"fixed", p->version};
			rng[i] = (ld_vdb_range){
				.type = "ECOSYSTEM", .events = &ev[2 * i], .nevents = 2};
			affs[i].ranges = &rng[i];
			affs[i].nranges = 1;
		}
	}
	memset(&a, 0, sizeof(a));
	a.source = source;
	a.id = s->id;
	a.aliases = (const char *const *)s->ids;
	a.naliases = s->nids;
	a.summary = s->summary[0] ? s->summary : NULL;
	a.details = s->notes.len ? ld_buf_cstr(&s->notes) : NULL;
	a.published = s->date;
	a.url = s->url;
	a.cvss_score = -1;
	a.affected = affs;
	a.naffected = s->npk;
	rc = ld_feed_advisory(out, &a);
	if (rc) {
		if (!lading_ctx_error(ctx)->code)
			ld_error_set(ctx, rc, "%s: storing %s failed", source, s->id);
	} else {
		res->records++;
	}
out:
	free(affs);
	free(rng);
	free(ev);
	adv_reset(s);
	return rc;
}

/* ------------------------------------------------------------------ lines */

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "[29 Mar 2023]" -> "2023-03-29"; false when malformed. */
static bool parse_date(ld_slice d, char out[16])
{
	ld_slice day, mon, year;
	uint64_t dd, yy;
	int m = -1;
	if (!ld_slice_cut(&d, ' ', &day) || !ld_slice_cut(&d, ' ', &mon))
		return false;
	year = d;
	if (!ld_slice_to_u64(day, 31, &dd) || dd == 0 || day.len > 2 || year.len != 4 ||
	    !ld_slice_to_u64(year, 9999, &yy) || yy < 1990)
		return false;
	for (int i = 0; i < 12; i++)
		if (ld_slice_eq_cstr(mon, months[i]))
			m = i + 1;
	if (m < 0)
		return false;
	ld_snprintf(out, 16, "%04u-%02d-%02u", (unsigned)yy, m, (unsigned)dd);
	return true;
}

/* "DSA-5380-1", "DSA-135", "DLA-3380-1": letters, "-", digits, optional "-" digits. */
static bool valid_adv_id(ld_slice id)
{
	size_t i = 0;
	if (id.len == 0 || id.len >= 64)
		return false;
	while (i < id.len && id.ptr[i] >= 'A' && id.ptr[i] <= 'Z')
		i++;
	if (i == 0 || i >= id.len || id.ptr[i++] != '-')
		return false;
	if (i >= id.len || id.ptr[i] < '0' || id.ptr[i] > '9')
		return false;
	while (i < id.len && id.ptr[i] >= '0' && id.ptr[i] <= '9')
		i++;
	if (i == id.len)
		return true;
	if (id.ptr[i++] != '-' || i >= id.len)
		return false;
	while (i < id.len && id.ptr[i] >= '0' && id.ptr[i] <= '9')
		i++;
	return i == id.len;
}

static int parse_header(adv_state *s, ld_slice line, const char *name, lading_ctx *ctx)
{
	ld_slice rest = line, date, id;
	char shown[120];
	ptrdiff_t close = ld_slice_find(line, ']');

	if (close < 0)
		goto bad;
	date = ld_slice_sub(line, 1, (size_t)close - 1);
	rest = ld_slice_trim(ld_slice_sub(line, (size_t)close + 1, SIZE_MAX));
	if (!parse_date(date, s->date))
		goto bad;
	ld_slice_cut(&rest, ' ', &id); /* without a blank: id = all, rest empty */
	if (!valid_adv_id(id))
		goto bad;
	ld_slice_copy(s->id, sizeof(s->id), id);
	ld_slice_copy(s->summary, sizeof(s->summary), ld_slice_trim(rest));
	ld_snprintf(s->url, sizeof(s->url), "https://security-tracker.debian.org/tracker/%s",
		    s->id);
	s->open = true;
	return 0;
bad:
	ld_feed_printable(shown, sizeof(shown), line);
	ld_warn(ctx, "%s: malformed header '%s', entry skipped", name, shown);
	return 1;
}

static int add_ids(adv_state *s, ld_slice body, const char *name, ld_vdb_feed_stats *stats,
		   lading_ctx *ctx)
{
	while (body.len) {
		ld_slice tok;
		body = ld_slice_trim(body);
		if (!body.len)
			break;
		ld_slice_cut(&body, ' ', &tok); /* the last token: all that is left */
		tok = ld_slice_trim(tok);
		if (!tok.len)
			continue;
		{
			char id[64];
			bool dup = false;
			if (ld_vdb_id_normalize(tok.ptr, tok.len, id, sizeof(id)) == 0) {
				char shown[80];
				ld_feed_printable(shown, sizeof(shown), tok);
				ld_warn(ctx, "%s: %s: '%s' is not an advisory ID, ignored", name,
					s->id, shown);
				continue;
			}
			if (stats)
				stats->ids++;
			for (size_t i = 0; i < s->nids && !dup; i++)
				dup = strcmp(s->ids[i], id) == 0;
			if (dup || s->nids >= DLIST_MAX_IDS)
				continue;
			if (!(s->ids[s->nids] = ld_strdup(id)))
				return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", name);
			s->nids++;
		}
	}
	return 0;
}

/* "(bug #123456; medium)" -> "medium" */
static const char *annotation_severity(ld_slice ann)
{
	static const char *const sev[] = {"low", "medium", "high"};
	while (ann.len) {
		ld_slice part;
		ld_slice_cut(&ann, ';', &part);
		part = ld_slice_trim(part);
		for (size_t i = 0; i < LD_ARRAY_LEN(sev); i++)
			if (ld_slice_eq_cstr(part, sev[i]))
				return sev[i];
	}
	return NULL;
}

static bool valid_pkg_name(ld_slice n)
{
	/* Debian policy: lowercase letters, digits, + - . ; at least two characters, starting with
	 * an alphanumeric (old entries keep some odd names, so only the charset is enforced) */
	if (n.len == 0 || n.len >= DLIST_MAX_TOKEN)
		return false;
	for (size_t i = 0; i < n.len; i++) {
		char c = n.ptr[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		      c == '.' || (c >= 'A' && c <= 'Z') || c == '_'))
			return false;
	}
	return true;
}

static bool valid_version(ld_slice v)
{
	if (v.len == 0 || v.len >= DLIST_MAX_TOKEN || v.ptr[0] < '0' || v.ptr[0] > '9')
		return false;
	for (size_t i = 0; i < v.len; i++)
		if ((unsigned char)v.ptr[i] <= 0x20 || (unsigned char)v.ptr[i] >= 0x7f)
			return false;
	return true;
}

/* "[bullseye] - xorg-server 2:1.20.11-1+deb11u6 (medium)". 0 ok, 1 skipped (warned). */
static int parse_pkgline(adv_state *s, ld_slice body, const char *name, ld_vdb_feed_stats *stats,
			 lading_ctx *ctx)
{
	ptrdiff_t close = ld_slice_find(body, ']');
	ld_slice rel, rest, pkg, ver, ann = LD_SLICE_NULL;
	const char *eco;
	pkgline *p;
	char shown[160];

	if (close < 1)
		goto bad;
	rel = ld_slice_sub(body, 1, (size_t)close - 1);
	rest = ld_slice_trim(ld_slice_sub(body, (size_t)close + 1, SIZE_MAX));
	if (!ld_slice_starts_with(rest, "- "))
		goto bad;
	rest = ld_slice_trim(ld_slice_sub(rest, 2, SIZE_MAX));
	if (!ld_slice_cut(&rest, ' ', &pkg))
		goto bad; /* a package without a version */
	rest = ld_slice_trim(rest);
	{
		ptrdiff_t paren = ld_slice_find(rest, '(');
		if (paren >= 0) {
			ann = ld_slice_sub(rest, (size_t)paren + 1, SIZE_MAX);
			if (ann.len && ann.ptr[ann.len - 1] == ')')
				ann.len--;
			rest = ld_slice_trim(ld_slice_sub(rest, 0, (size_t)paren));
		}
	}
	ver = rest;
	eco = ld_vdb_debian_ecosystem(rel.ptr, rel.len);
	if (!eco) {
		ld_feed_printable(shown, sizeof(shown), rel);
		ld_warn(ctx, "%s: %s: unknown Debian release '%s', line skipped", name, s->id,
			shown);
		return 1;
	}
	if (!valid_pkg_name(pkg))
		goto bad;
	if (s->npk >= DLIST_MAX_PKGS) {
		ld_warn(ctx, "%s: %s: more than %u package lines, the rest skipped", name, s->id,
			DLIST_MAX_PKGS);
		return 1;
	}
	p = &s->pk[s->npk];
	memset(p, 0, sizeof(*p));
	p->eco = eco;
	ld_slice_copy(p->name, sizeof(p->name), pkg);
	p->severity = annotation_severity(ann);
	if (ld_slice_eq_cstr(ver, "<not-affected>")) {
		p->status = "not-affected";
	} else if (ld_slice_eq_cstr(ver, "<unfixed>")) {
		p->status = "unfixed";
	} else if (ld_slice_eq_cstr(ver, "<end-of-life>")) {
		p->status = "wontfix"; /* support ended: no fix will come for this release */
	} else if (valid_version(ver)) {
		ld_slice_copy(p->version, sizeof(p->version), ver);
		if (stats)
			stats->fixed_versions++;
	} else {
		goto bad;
	}
	if (stats)
		stats->packages++;
	s->npk++;
	return 0;
bad:
	ld_feed_printable(shown, sizeof(shown), body);
	ld_warn(ctx, "%s: %s: malformed package line '%s', skipped", name, s->id[0] ? s->id : "?",
		shown);
	return 1;
}

/* An indented line of an entry: its IDs, a package line or a note. */
static int entry_line(adv_state *s, ld_slice body, const ld_vdb_sink *out, const char *name,
		      ld_vdb_import_result *res, lading_ctx *ctx)
{
	char shown[120];

	if (body.ptr[0] == '{') {
		ptrdiff_t close = ld_slice_find(body, '}');
		if (close < 0) {
			ld_warn(ctx, "%s: %s: unterminated {...} list, read to the end of the line", name, s->id);
			close = (ptrdiff_t)body.len;
		}
		return add_ids(s, ld_slice_sub(body, 1, (size_t)close - 1), name, out ? out->stats : NULL, ctx);
	} else if (body.ptr[0] == '[') {
		if (parse_pkgline(s, body, name, out ? out->stats : NULL, ctx))
			res->skipped++;
	} else if (ld_slice_starts_with(body, "NOTE:")) {
		if (s->notes.len)
			ld_buf_addc(&s->notes, '\n');
		ld_buf_addslice(&s->notes, ld_slice_trim(ld_slice_sub(body, 5, SIZE_MAX)));
		/* over the cap the notes are cut: they are prose, not data */
	} else {
		ld_feed_printable(shown, sizeof(shown), body);
		ld_warn(ctx, "%s: %s: unrecognized line '%s', ignored", name, s->id, shown);
	}
	return 0;
}

static adv_state *state_new(void)
{
	adv_state *s = calloc(1, sizeof(*s));
	if (s && !(s->pk = calloc(DLIST_MAX_PKGS, sizeof(*s->pk)))) {
		free(s);
		return NULL;
	}
	if (s)
		ld_buf_init(&s->notes, DLIST_MAX_NOTES);
	return s;
}

static void state_free(adv_state *s)
{
	adv_reset(s);
	ld_buf_release(&s->notes);
	free(s->pk);
	free(s);
}

int ld_vdb_parse_debian_list(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
			     const char *source, ld_vdb_import_result *res, lading_ctx *ctx)
{
	ld_slice in = ld_slice_make(p, len), line;
	adv_state *s;
	bool skipping = false; /* inside an entry whose header was malformed */
	size_t lineno = 0, headers = 0;
	int rc = 0;

	name = name ? name : "list";
	if (!source || (strcmp(source, "debian-dsa") != 0 && strcmp(source, "debian-dla") != 0))
		return ld_error_set(ctx, LADING_EUSAGE, "%s: unknown Debian list source '%s'", name,
				    source ? source : "");
	if (len > DLIST_MAX_FILE)
		return ld_error_set_path(ctx, LADING_ELIMIT, name, 0, "%s: larger than %zu bytes",
					 name, DLIST_MAX_FILE);
	if ((rc = ld_feed_text_check(p, len, name, ctx)))
		return rc;
	if (!(s = state_new()))
		return ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", name);
	LD_FEED_COUNT(out, files, 1);

	while (rc == 0 && ld_slice_next_line(&in, &line)) {
		ld_slice body;
		lineno++;
		if (line.len && line.ptr[line.len - 1] == '\r')
			line.len--;
		if (memchr(line.ptr, '\0', line.len)) {
			ld_warn(ctx, "%s: line %zu: NUL byte, line ignored", name, lineno);
			continue;
		}
		body = ld_slice_trim(line);
		if (!body.len)
			continue;
		if (line.ptr[0] == '[') {
			/* a header at column 0 */
			if ((rc = emit(s, out, source, res, ctx)))
				break;
			headers++;
			skipping = parse_header(s, line, name, ctx) != 0;
			if (skipping)
				res->skipped++;
			else
				ld_feed_snapshot(res, s->date, strlen(s->date));
			continue;
		}
		if (line.ptr[0] != ' ' && line.ptr[0] != '\t') {
			char shown[120];
			ld_feed_printable(shown, sizeof(shown), line);
			ld_warn(ctx,
				"%s: line %zu: '%s' is neither a header nor an indented line, "
				"ignored",
				name, lineno, shown);
			continue;
		}
		if (skipping)
			continue;
		if (!s->open) {
			ld_warn(ctx, "%s: line %zu: indented line before the first header, ignored",
				name, lineno);
			continue;
		}
		rc = entry_line(s, body, out, name, res, ctx);
	}
	if (rc == 0)
		rc = emit(s, out, source, res, ctx);
	if (rc == 0 && headers == 0 && len > 0) {
		rc = ld_error_set_path(
			ctx, LADING_EINVALID, name, 0,
			"%s: not a Debian DSA/DLA list (no \"[DD Mon YYYY] DSA-...\" header)",
			name);
	}
	state_free(s);
	return rc;
}

int ld_vdb_import_debian_list_to(const ld_vdb_sink *out, const char *path, const char *source,
				 ld_vdb_import_result *res, lading_ctx *ctx)
{
	ld_buf b;
	int rc, kind;
	char file[4096];

	ld_feed_result_reset(res);
	kind = ld_feed_stat(path, ctx);
	if (kind < 0)
		return kind;
	if (kind == 1) {
		/* the debian/ directory: pick the list of this source */
		const char *base =
			strcmp(source ? source : "", "debian-dla") == 0 ? "DLA.list" : "DSA.list";
		if ((rc = ld_feed_join(file, sizeof(file), path, base, ctx)))
			return rc;
		path = file;
	}
	ld_buf_init(&b, LD_FEED_BUF_MAX(DLIST_MAX_FILE));
	rc = ld_feed_read(path, DLIST_MAX_FILE, NULL, -1, &b, ctx);
	if (rc == 0)
		rc = ld_vdb_parse_debian_list(out, b.ptr, b.len, path, source, res, ctx);
	ld_buf_release(&b);
	return rc;
}
