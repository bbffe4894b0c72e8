/* CycloneDX 1.5 JSON: the image as metadata.component (type container), the OS and every
 * package as components with purls; lading-specific facts as namespaced properties. */
#include "util/common.h"
#include "util/jsonw.h"
#include "util/map.h"
#include "report/report.h"

static void prop(ld_jw *w, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	ld_jw_obj(w);
	ld_jw_kstr(w, "name", name);
	ld_jw_kstr(w, "value", value);
	ld_jw_obj_end(w);
}

/* bom-refs must be unique: the purl, made unique with a counter when a purl repeats. */
static int bom_refs(const ld_sbom_view *v, ld_arena *a, const char ***out)
{
	const char **refs = v->npkgs ? ld_arena_array(a, v->npkgs, sizeof(char *)) : NULL;
	ld_map seen;
	int rc = 0;

	*out = refs;
	if (v->npkgs && !refs)
		return LADING_ENOMEM;
	ld_map_init(&seen);
	for (size_t i = 0; i < v->npkgs; i++) {
		const lading_package *p = v->pkgs[i];
		const char *base = p->purl ? p->purl : p->name;
		const char *r = base;
		for (unsigned k = 2; ld_map_gets(&seen, r); k++)
			r = ld_arena_printf(a, "%s#%u", base, k);
		if (!r || ld_map_put(&seen, ld_slice_cstr(r), (void *)1, NULL)) {
			rc = LADING_ENOMEM;
			break;
		}
		refs[i] = r;
	}
	ld_map_release(&seen);
	return rc;
}

/* metadata: the timestamp, lading as the tool and the image as the component described. */
static void metadata(ld_jw *w, const ld_sbom_view *v)
{
	const lading_image_info *img = v->image;
	char ts[32], plat[128];

	ld_report_timestamp(v, ts);
	ld_jw_key(w, "metadata");
	ld_jw_obj(w);
	ld_jw_kstr(w, "timestamp", ts);
	ld_jw_key(w, "tools");
	ld_jw_obj(w);
	ld_jw_key(w, "components");
	ld_jw_arr(w);
	ld_jw_obj(w);
	ld_jw_kstr(w, "type", "application");
	ld_jw_kstr(w, "name", "lading");
	ld_jw_kstr(w, "version", ld_report_tool_version(v));
	ld_jw_obj_end(w);
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
	ld_jw_key(w, "component");
	ld_jw_obj(w);
	ld_jw_kstr(w, "type", "container");
	ld_jw_kstr(w, "bom-ref", "image");
	ld_jw_kstr(w, "name", ld_report_image_name(img));
	if (img->config_digest)
		ld_jw_kstr(w, "version", img->config_digest);
	ld_jw_key(w, "properties");
	ld_jw_arr(w);
	prop(w, "lading:image:source_type", img->source_type);
	prop(w, "lading:image:manifest_digest", img->manifest_digest);
	prop(w, "lading:image:platform", ld_report_platform(img, plat, sizeof(plat)));
	for (size_t i = 0; i < img->layer_count; i++) {
		char name[64];
		ld_snprintf(name, sizeof(name), "lading:image:layer:%zu:digest", i);
		prop(w, name, img->layers[i].digest);
	}
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
	ld_jw_obj_end(w); /* metadata */
}

static void os_component(ld_jw *w, const lading_os *os)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "type", "operating-system");
	ld_jw_kstr(w, "bom-ref", "os");
	ld_jw_kstr(w, "name", os->id);
	if (os->version)
		ld_jw_kstr(w, "version", os->version);
	if (os->pretty_name)
		ld_jw_kstr(w, "description", os->pretty_name);
	/* what matching needs beyond the version (lading_sbom_read reads them back) */
	ld_jw_key(w, "properties");
	ld_jw_arr(w);
	prop(w, "lading:os:version_id", os->version_id);
	prop(w, "lading:os:codename", os->codename);
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
}

static void package_component(ld_jw *w, const lading_package *p, const char *ref, const lading_image_info *img)
{
	char tmp[64];

	ld_jw_obj(w);
	ld_jw_kstr(w, "type", p->flags & LADING_PKG_APPLICATION ? "application" : "library");
	ld_jw_kstr(w, "bom-ref", ref);
	ld_jw_kstr(w, "name", p->name);
	if (p->version)
		ld_jw_kstr(w, "version", p->version);
	if (p->license) {
		ld_jw_key(w, "licenses");
		ld_jw_arr(w);
		ld_jw_obj(w);
		ld_jw_key(w, "license");
		ld_jw_obj(w);
		ld_jw_kstr(w, "name", p->license);
		ld_jw_obj_end(w);
		ld_jw_obj_end(w);
		ld_jw_arr_end(w);
	}
	if (p->cpe)
		ld_jw_kstr(w, "cpe", p->cpe);
	if (p->purl)
		ld_jw_kstr(w, "purl", p->purl);
	ld_jw_key(w, "properties");
	ld_jw_arr(w);
	prop(w, "lading:package:type", p->type);
	prop(w, "lading:package:arch", p->arch);
	prop(w, "lading:package:source_name", p->source_name);
	prop(w, "lading:package:source_version", p->source_version);
	prop(w, "lading:package:found_by", p->found_by);
	prop(w, "lading:package:location", p->location);
	if (p->layer >= 0 && (size_t)p->layer < img->layer_count) {
		ld_snprintf(tmp, sizeof(tmp), "%d", p->layer);
		prop(w, "lading:package:layer_index", tmp);
		prop(w, "lading:package:layer_digest", img->layers[p->layer].digest);
	}
	/* flags that change matching (lading_sbom_read reads them back) */
	prop(w, "lading:package:os_managed", p->flags & LADING_PKG_OS_MANAGED ? "true" : NULL);
	prop(w, "lading:package:local", p->flags & LADING_PKG_LOCAL ? "true" : NULL);
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
}

/* The image depends on the OS and on every package. */
static void dependencies(ld_jw *w, const ld_sbom_view *v, const char *const *refs)
{
	ld_jw_key(w, "dependencies");
	ld_jw_arr(w);
	ld_jw_obj(w);
	ld_jw_kstr(w, "ref", "image");
	ld_jw_key(w, "dependsOn");
	ld_jw_arr(w);
	if (v->os->id)
		ld_jw_str(w, "os");
	for (size_t i = 0; i < v->npkgs; i++)
		ld_jw_str(w, refs[i]);
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
	ld_jw_arr_end(w);
}

int ld_report_cyclonedx(ld_buf *out, const ld_sbom_view *v,
			void (*vulns)(ld_jw *w, void *opaque, const char *const *bom_refs), void *opaque)
{
	char uuid[37], tmp[64];
	const char **refs = NULL;
	ld_arena a;
	ld_jw w;
	int rc;

	ld_arena_init(&a, 0);
	if ((rc = bom_refs(v, &a, &refs)))
		goto out;
	ld_report_uuid(v, "cyclonedx", uuid);
	ld_jw_init(&w, out, true);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
	ld_jw_kstr(&w, "bomFormat", "CycloneDX");
	ld_jw_kstr(&w, "specVersion", "1.5");
	ld_jw_key(&w, "serialNumber");
	ld_snprintf(tmp, sizeof(tmp), "urn:uuid:%s", uuid);
	ld_jw_str(&w, tmp);
	ld_jw_ki64(&w, "version", 1);
	metadata(&w, v);
	ld_jw_key(&w, "components");
	ld_jw_arr(&w);
	if (v->os->id)
		os_component(&w, v->os);
	for (size_t i = 0; i < v->npkgs; i++)
		package_component(&w, v->pkgs[i], refs[i], v->image);
	ld_jw_arr_end(&w);
	dependencies(&w, v, refs);
	if (vulns)
		vulns(&w, opaque, refs);
	ld_jw_obj_end(&w);
	rc = ld_jw_finish(&w);
out:
	ld_arena_release(&a);
	return rc;
}
