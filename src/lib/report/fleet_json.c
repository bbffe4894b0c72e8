/* Fleet report as JSON: {"overall": G, "groups": {"NAME": G, ...}, ...}; each G starts with
 * `images` and `vulnerabilities_per_image` {mean, median, p90}, then the rest by name
 * (docs/fleet.md lists every member). Shares are fractions of 1, rounded to 4 decimals. */
#include "util/common.h"
#include "util/jsonw.h"
#include "report/fleet.h"

#include "lading/scan.h"

static void kshare(ld_jw *w, const char *k, size_t n, size_t d)
{
	ld_jw_key(w, k);
	ld_jw_obj(w);
	ld_jw_key(w, "images");
	ld_jw_u64(w, n);
	ld_jw_key(w, "share");
	ld_jw_fixed(w, d ? (double)n / (double)d : 0, 4);
	ld_jw_obj_end(w);
}

static void kfix(ld_jw *w, const char *k, double v, int dec)
{
	ld_jw_key(w, k);
	ld_jw_fixed(w, v, dec);
}

static void ktime(ld_jw *w, const char *k, int64_t t)
{
	char s[32];
	ld_fleet_format_time(t, s);
	ld_jw_kstr(w, k, t == LD_FLEET_TIME_UNKNOWN ? NULL : s);
}

static void tops(ld_jw *w, const char *k, const char *idk, const ld_fleet_top *t, size_t n)
{
	ld_jw_key(w, k);
	ld_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		ld_jw_obj(w);
		ld_jw_kstr(w, idk, t[i].name);
		ld_jw_key(w, "images");
		ld_jw_u64(w, t[i].images);
		ld_jw_kstr(w, "severity", lading_severity_name((lading_severity)t[i].severity));
		ld_jw_kbool(w, "kev", t[i].kev);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
}

static void severity_mix(ld_jw *w, const ld_fleet_group_stats *g)
{
	ld_jw_key(w, "findings");
	ld_jw_u64(w, g->findings);
	ld_jw_key(w, "severity_mix");
	ld_jw_obj(w);
	for (int s = LADING_SEVERITY_CRITICAL; s >= LADING_SEVERITY_UNKNOWN; s--) {
		ld_jw_key(w, lading_severity_name((lading_severity)s));
		ld_jw_obj(w);
		ld_jw_key(w, "findings");
		ld_jw_u64(w, g->by_severity[s]);
		kfix(w, "share", g->findings ? (double)g->by_severity[s] / (double)g->findings : 0, 4);
		ld_jw_obj_end(w);
	}
	ld_jw_obj_end(w);
	kshare(w, "images_with_critical", g->img_critical, g->images);
	kshare(w, "images_with_high", g->img_high, g->images);
	kshare(w, "images_with_high_or_critical", g->img_high_or_critical, g->images);
}

static void famous(ld_jw *w, const ld_fleet_stats *st, const ld_fleet_group_stats *g)
{
	ld_jw_key(w, "famous");
	ld_jw_arr(w);
	for (size_t i = 0; st->famous && i < st->famous->count; i++) {
		ld_jw_obj(w);
		ld_jw_kstr(w, "name", st->famous->entries[i].name);
		ld_jw_key(w, "images");
		ld_jw_u64(w, g->famous[i]);
		kfix(w, "share", g->images ? (double)g->famous[i] / (double)g->images : 0, 4);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
}

static void staleness(ld_jw *w, const ld_fleet_group_stats *g)
{
	static const char *const older[3] = {"older_than_90_days", "older_than_180_days", "older_than_365_days"};
	ld_jw_key(w, "staleness");
	ld_jw_obj(w);
	ld_jw_key(w, "images_dated");
	ld_jw_u64(w, g->dated);
	ld_jw_key(w, "age_median_days");
	if (g->dated)
		ld_jw_fixed(w, g->age_median_days, 1);
	else
		ld_jw_null(w);
	for (int i = 0; i < 3; i++)
		kshare(w, older[i], g->older[i], g->dated);
	ld_jw_key(w, "images_with_base");
	ld_jw_u64(w, g->with_base);
	ld_jw_key(w, "base_age_median_days");
	if (g->with_base)
		ld_jw_fixed(w, g->base_age_median_days, 1);
	else
		ld_jw_null(w);
	kshare(w, "base_not_latest", g->base_behind, g->with_base);
	ld_jw_key(w, "age_histogram");
	ld_jw_obj(w);
	for (int i = 0; i < LD_FLEET_AGE_BINS; i++) {
		ld_jw_key(w, ld_fleet_age_bin_names[i]);
		ld_jw_u64(w, g->age_hist[i]);
	}
	ld_jw_obj_end(w);
	ld_jw_obj_end(w);
}

static void ctr_list(ld_jw *w, const char *k, const ld_fleet_ctr_row *r, size_t n)
{
	ld_jw_key(w, k);
	ld_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		const ld_fleet_container *c = r[i].c;
		ld_jw_obj(w);
		ld_jw_kstr(w, "id", c->id);
		ld_jw_kstr(w, "name", c->name);
		ld_jw_kstr(w, "source", c->source);
		ld_jw_kstr(w, "namespace", c->namespace_name);
		ld_jw_kstr(w, "image", r[i].image);
		ld_jw_kstr(w, "state", ld_fleet_state_name(c->state));
		ktime(w, "first_seen", c->first_seen);
		ktime(w, "last_seen", c->last_seen);
		ld_jw_kbool(w, "kev", r[i].kev);
		ld_jw_kbool(w, "critical", r[i].critical);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
}

static void containers(ld_jw *w, const ld_fleet_group_stats *g)
{
	ld_jw_key(w, "containers");
	ld_jw_obj(w);
	ld_jw_key(w, "total");
	ld_jw_u64(w, g->containers_total);
	for (unsigned s = 1; s < 5; s++) {
		ld_jw_key(w, ld_fleet_state_name(s));
		ld_jw_u64(w, g->containers[s]);
	}
	ld_jw_key(w, "unknown");
	ld_jw_u64(w, g->containers[0]);
	ld_jw_obj_end(w);
	ld_jw_key(w, "containers_at_risk");
	ld_jw_obj(w);
	ld_jw_key(w, "running");
	ld_jw_u64(w, g->risky_running);
	ld_jw_key(w, "gone");
	ld_jw_u64(w, g->risky_gone);
	ctr_list(w, "running_list", g->running, g->n_running);
	ctr_list(w, "gone_list", g->gone, g->n_gone);
	ld_jw_obj_end(w);
}

static void group(ld_jw *w, const ld_fleet_stats *st, const ld_fleet_group_stats *g)
{
	ld_jw_obj(w);
	ld_jw_key(w, "images");
	ld_jw_u64(w, g->images);
	ld_jw_key(w, "vulnerabilities_per_image");
	ld_jw_obj(w);
	kfix(w, "mean", g->vpi_mean, 2);
	kfix(w, "median", g->vpi_median, 1);
	kfix(w, "p90", g->vpi_p90, 1);
	ld_jw_obj_end(w);
	ld_jw_key(w, "images_matched");
	ld_jw_u64(w, g->matched);
	ld_jw_key(w, "repositories");
	ld_jw_u64(w, g->repositories);
	ld_jw_key(w, "tags");
	ld_jw_u64(w, g->tags);
	containers(w, g);
	severity_mix(w, g);
	kshare(w, "known_exploited", g->img_kev, g->images);
	tops(w, "top_known_exploited", "id", g->top_kev, g->n_top_kev);
	famous(w, st, g);
	staleness(w, g);
	kshare(w, "fixable", g->img_fixable, g->images);
	tops(w, "top_vulnerabilities", "id", g->top_vulns, g->n_top_vulns);
	tops(w, "top_packages", "package", g->top_pkgs, g->n_top_pkgs);
	ld_jw_key(w, "vulnerabilities_histogram");
	ld_jw_obj(w);
	for (int i = 0; i < LD_FLEET_VULN_BINS; i++) {
		ld_jw_key(w, ld_fleet_vuln_bin_names[i]);
		ld_jw_u64(w, g->vuln_hist[i]);
	}
	ld_jw_obj_end(w);
	ld_jw_obj_end(w);
}

static void bases(ld_jw *w, const ld_fleet_stats *st)
{
	ld_jw_key(w, "base_images");
	ld_jw_arr(w);
	for (size_t i = 0; i < st->base_count; i++) {
		const ld_fleet_base_row *b = &st->bases[i];
		ld_jw_obj(w);
		ld_jw_kstr(w, "base", b->name);
		ld_jw_key(w, "images");
		ld_jw_u64(w, b->images);
		ktime(w, "created", b->created);
		ld_jw_key(w, "newer_tags");
		ld_jw_u64(w, b->newer_tags);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
}

static void history(ld_jw *w, const ld_fleet_stats *st)
{
	ld_jw_key(w, "history");
	ld_jw_arr(w);
	for (size_t i = 0; i < st->hist_count; i++) {
		const ld_fleet_summary *s = st->hist[i];
		ld_jw_obj(w);
		ktime(w, "time", s->time);
		ld_jw_kstr(w, "group", s->group);
		ld_jw_key(w, "images");
		ld_jw_u64(w, s->images);
		kfix(w, "vulnerabilities_per_image", s->images ? (double)s->vulnerabilities / (double)s->images : 0, 2);
		kfix(w, "vulnerabilities_median", s->vulns_median, 1);
		kfix(w, "vulnerabilities_p90", s->vulns_p90, 1);
		ld_jw_key(w, "new_findings");
		ld_jw_u64(w, s->new_findings);
		ld_jw_key(w, "fixed_findings");
		ld_jw_u64(w, s->fixed_findings);
		kshare(w, "known_exploited", s->kev_images, s->images);
		kshare(w, "critical", s->critical_images, s->images);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
}

static void census(ld_jw *w, const ld_fleet_census *c)
{
	ld_jw_key(w, "census");
	if (!c) {
		ld_jw_null(w);
		return;
	}
	ld_jw_obj(w);
	ld_jw_key(w, "records");
	ld_jw_u64(w, c->records);
	ld_jw_key(w, "products");
	ld_jw_arr(w);
	for (size_t i = 0; i < c->product_count; i++) {
		const ld_fleet_census_product *p = &c->products[i];
		const size_t v[] = {p->hosts, p->versioned, p->behind, p->vulnerable, p->kev};
		static const char *const k[] = {"hosts", "versioned", "behind", "vulnerable", "kev"};
		ld_jw_obj(w);
		ld_jw_kstr(w, "product", p->product);
		ld_jw_kstr(w, "name", p->name);
		for (size_t j = 0; j < LD_ARRAY_LEN(k); j++) {
			ld_jw_key(w, k[j]);
			if (v[j] == SIZE_MAX)
				ld_jw_null(w);
			else
				ld_jw_u64(w, v[j]);
		}
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
}

int ld_fleet_write_json(ld_buf *b, const ld_fleet_stats *st)
{
	ld_jw w;
	ld_jw_init(&w, b, true);
	ld_jw_obj(&w);
	ld_jw_key(&w, "overall");
	group(&w, st, &st->overall);
	ld_jw_key(&w, "groups");
	ld_jw_obj(&w);
	for (size_t i = 0; i < st->group_count; i++) {
		ld_jw_key(&w, st->groups[i].name);
		group(&w, st, &st->groups[i]);
	}
	ld_jw_obj_end(&w);
	ld_jw_kstr(&w, "group_by", st->group_by);
	ld_jw_kbool(&w, "empty", !st->overall.images && !st->overall.containers_total);
	ktime(&w, "now", st->now);
	ktime(&w, "since", st->since);
	ktime(&w, "data_generated", st->generated);
	ld_jw_key(&w, "images_before_since");
	ld_jw_u64(&w, st->images_skipped);
	ld_jw_key(&w, "duplicate_images");
	ld_jw_u64(&w, st->duplicates);
	ld_jw_key(&w, "containers_unknown_image");
	ld_jw_u64(&w, st->containers_unknown_image);
	bases(&w, st);
	if (st->history)
		history(&w, st);
	census(&w, st->census);
	ld_jw_obj_end(&w);
	return ld_jw_finish(&w);
}
