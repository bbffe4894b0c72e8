/* Human-readable inventory: a header about the image, then one row per package. */
#include "util/common.h"
#include "util/term.h"
#include "report/report.h"

/* display width approximated by code points, of the text as shown (escaped) */
#define width ld_term_width

/* Image-controlled text is escaped (util/term.h): no control byte reaches the terminal. */
static void cell(ld_buf *b, const char *s, size_t w, bool last)
{
	size_t n = width(s);
	ld_buf_add_term(b, s);
	if (!last)
		for (size_t i = n; i < w + 2; i++)
			ld_buf_addc(b, ' ');
}

int ld_report_sbom_table(ld_buf *out, const ld_sbom_view *v)
{
	const lading_image_info *img = v->image;
	const lading_os *os = v->os;
	static const char *const head[] = {"NAME", "VERSION", "TYPE", "SOURCE", "LAYER"};
	size_t w[5], start = out->len;
	char plat[128], t1[1024], t2[256];

	ld_buf_addf(out, "Image:    %s (%s)\n", ld_term(ld_report_image_name(img), t1, sizeof(t1)),
		    ld_term(img->source_type, t2, sizeof(t2)));
	if (img->config_digest)
		ld_buf_addf(out, "ID:       %s\n", ld_term(img->config_digest, t1, sizeof(t1)));
	if (ld_report_platform(img, plat, sizeof(plat)))
		ld_buf_addf(out, "Platform: %s\n", ld_term(plat, t1, sizeof(t1)));
	ld_buf_addf(out, "OS:       %s\n",
		    ld_term(os->pretty_name ? os->pretty_name : os->id ? os->id : "unknown (no os-release)", t1,
			    sizeof(t1)));
	ld_buf_addf(out, "Layers:   %zu\n", img->layer_count);
	for (size_t i = 0; i < img->layer_count; i++) {
		const char *cb = img->layers[i].created_by;
		ld_buf_addf(out, "  %2zu  %.19s  %.80s\n", i + 1,
			    ld_term(img->layers[i].digest ? img->layers[i].digest : "-", t2, sizeof(t2)),
			    ld_term(cb, t1, sizeof(t1)));
	}
	ld_buf_addf(out, "Packages: %zu\n\n", v->npkgs);
	if (!v->npkgs)
		goto out;
	for (int c = 0; c < 5; c++)
		w[c] = strlen(head[c]);
	for (size_t i = 0; i < v->npkgs; i++) {
		const lading_package *p = v->pkgs[i];
		w[0] = LD_MAX(w[0], width(p->name));
		w[1] = LD_MAX(w[1], width(p->version));
		w[2] = LD_MAX(w[2], width(p->type));
		w[3] = LD_MAX(w[3], p->source_name && strcmp(p->source_name, p->name) ? width(p->source_name) : 0);
	}
	for (int c = 0; c < 5; c++)
		cell(out, head[c], w[c], c == 4);
	ld_buf_addc(out, '\n');
	for (size_t i = 0; i < v->npkgs; i++) {
		const lading_package *p = v->pkgs[i];
		char layer[16];
		if (p->layer >= 0)
			ld_snprintf(layer, sizeof(layer), "%d", p->layer + 1);
		else
			ld_strlcpy(layer, "-", sizeof(layer));
		cell(out, p->name, w[0], false);
		cell(out, p->version, w[1], false);
		cell(out, p->type, w[2], false);
		cell(out, p->source_name && strcmp(p->source_name, p->name) ? p->source_name : "", w[3], false);
		cell(out, layer, w[4], true);
		ld_buf_addc(out, '\n');
	}
out:
	ld_buf_term_sanitize(out, start, true);
	return ld_buf_error(out);
}
