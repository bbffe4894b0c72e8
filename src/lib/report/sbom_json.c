/* lading's own JSON inventory (docs/formats.md): stable names, sorted, byte-identical output
 * for identical input. Everything that depends on how the image was stored (paths, blob
 * digests, compression) lives under "source", so two forms of one image differ only there. */
#include "util/common.h"
#include "util/jsonw.h"
#include "report/report.h"

static void layer_ref(ld_jw *w, const lading_image_info *img, int layer)
{
	if (layer < 0 || (size_t)layer >= img->layer_count) {
		ld_jw_null(w);
		return;
	}
	ld_jw_obj(w);
	ld_jw_ki64(w, "index", layer);
	ld_jw_kstr(w, "digest", img->layers[layer].digest);
	ld_jw_obj_end(w);
}

void ld_report_json_image(ld_jw *w, const ld_sbom_view *v)
{
	const lading_image_info *img = v->image;
	const lading_os *os = v->os;
	char plat[128];

	ld_jw_key(w, "source");
	ld_jw_obj(w);
	ld_jw_kstr(w, "type", img->source_type);
	ld_jw_kstr(w, "path", img->source_path);
	ld_jw_kstr(w, "ref", img->ref);
	ld_jw_kstr(w, "manifest_digest", img->manifest_digest);
	ld_jw_key(w, "repo_tags");
	ld_jw_arr(w);
	for (size_t i = 0; i < img->repo_tag_count; i++)
		ld_jw_str(w, img->repo_tags[i]);
	ld_jw_arr_end(w);
	ld_jw_key(w, "layers");
	ld_jw_arr(w);
	for (size_t i = 0; i < img->layer_count; i++) {
		const lading_layer_info *l = &img->layers[i];
		ld_jw_obj(w);
		ld_jw_kstr(w, "blob_digest", l->blob_digest);
		ld_jw_kstr(w, "media_type", l->media_type);
		ld_jw_key(w, "size");
		if (l->size >= 0)
			ld_jw_i64(w, l->size);
		else
			ld_jw_null(w);
		ld_jw_kstr(w, "compression", l->compression);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);

	ld_jw_key(w, "image");
	ld_jw_obj(w);
	ld_jw_kstr(w, "digest", img->config_digest);
	ld_jw_kstr(w, "platform", ld_report_platform(img, plat, sizeof(plat)));
	ld_jw_kstr(w, "created", img->created);
	ld_jw_key(w, "os");
	ld_jw_obj(w);
	ld_jw_kstr(w, "id", os->id);
	ld_jw_kstr(w, "version", os->version);
	ld_jw_kstr(w, "version_id", os->version_id);
	ld_jw_kstr(w, "codename", os->codename);
	ld_jw_kstr(w, "name", os->pretty_name ? os->pretty_name : os->name);
	ld_jw_obj_end(w);
	ld_jw_key(w, "layers");
	ld_jw_arr(w);
	for (size_t i = 0; i < img->layer_count; i++) {
		ld_jw_obj(w);
		ld_jw_ki64(w, "index", (int64_t)i);
		ld_jw_kstr(w, "digest", img->layers[i].digest);
		ld_jw_kstr(w, "created_by", img->layers[i].created_by);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
}

void ld_report_json_package(ld_jw *w, const lading_package *p, const lading_image_info *img, bool with_files)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "name", p->name);
	ld_jw_kstr(w, "version", p->version);
	ld_jw_kstr(w, "type", p->type);
	ld_jw_kstr(w, "arch", p->arch);
	ld_jw_kstr(w, "purl", p->purl);
	ld_jw_kstr_opt(w, "cpe", p->cpe);
	ld_jw_key(w, "source");
	if (p->source_name) {
		ld_jw_obj(w);
		ld_jw_kstr(w, "name", p->source_name);
		ld_jw_kstr(w, "version", p->source_version);
		ld_jw_obj_end(w);
	} else {
		ld_jw_null(w);
	}
	ld_jw_key(w, "layer");
	layer_ref(w, img, p->layer);
	if (p->epoch >= 0)
		ld_jw_ki64(w, "epoch", p->epoch);
	ld_jw_kstr_opt(w, "release", p->release);
	ld_jw_kstr_opt(w, "license", p->license);
	ld_jw_kstr(w, "found_by", p->found_by);
	ld_jw_kstr(w, "location", p->location);
	if (p->flags & LADING_PKG_OS_MANAGED)
		ld_jw_kbool(w, "os_managed", true);
	if (p->flags & LADING_PKG_APPLICATION)
		ld_jw_kbool(w, "application", true);
	if (p->flags & LADING_PKG_LOCAL)
		ld_jw_kbool(w, "local", true);
	ld_jw_ki64(w, "file_count", (int64_t)p->file_count);
	if (with_files) {
		ld_jw_key(w, "files");
		ld_jw_arr(w);
		for (size_t i = 0; i < p->file_count; i++)
			ld_jw_str(w, p->files[i]);
		ld_jw_arr_end(w);
	}
	ld_jw_obj_end(w);
}

int ld_report_sbom_json(ld_buf *out, const ld_sbom_view *v)
{
	ld_jw w;
	bool files = v->opts && v->opts->with_files;
	ld_jw_init(&w, out, true);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "schema", "lading.sbom/v1");
	ld_report_json_image(&w, v);
	ld_jw_key(&w, "packages");
	ld_jw_arr(&w);
	for (size_t i = 0; i < v->npkgs; i++)
		ld_report_json_package(&w, v->pkgs[i], v->image, files);
	ld_jw_arr_end(&w);
	ld_jw_key(&w, "summary");
	ld_jw_obj(&w);
	ld_jw_ki64(&w, "packages", (int64_t)v->npkgs);
	ld_jw_key(&w, "by_type");
	ld_jw_obj(&w);
	for (size_t i = 0; i < v->npkgs;) {
		size_t j = i;
		while (j < v->npkgs && !strcmp(v->pkgs[j]->type, v->pkgs[i]->type))
			j++;
		ld_jw_ki64(&w, v->pkgs[i]->type, (int64_t)(j - i));
		i = j;
	}
	ld_jw_obj_end(&w);
	ld_jw_obj_end(&w);
	ld_jw_obj_end(&w);
	return ld_jw_finish(&w);
}
