/* SBOM documents read back into a package list: CycloneDX 1.2-1.6 JSON, SPDX 2.2/2.3 JSON and
 * lading's own JSON inventory (lading.sbom/v1). Packages come from purls (type, namespace, name,
 * version, qualifiers arch/distro/upstream/epoch), refined by lading's own properties when the
 * document is lading's and by the properties other scanners write (Trivy's SrcName...). The OS
 * comes from the document's operating-system component, else from a purl's distro qualifier;
 * the image (name, digests, layers) from metadata.component / the CONTAINER package.
 * docs/sbom-input.md describes what is read from each format. */
#include "util/common.h"
#include "util/json.h"
#include "catalog/catalog.h"

/* Named limits: SBOMs come from anywhere (CI uploads, other scanners). */
#define SBOMDOC_MAX_BYTES ((size_t)LADING_SBOM_READ_MAX) /* one document */
#define SBOMDOC_MAX_DEPTH 64                  /* JSON nesting */
#define SBOMDOC_MAX_TREE ((size_t)1 << 30)    /* the parsed tree (the JSON reader's default is
						 16 x input + 1 MiB: 4 GiB for the largest document) */
#define SBOMDOC_MAX_PACKAGES 1000000          /* components / packages read */
#define SBOMDOC_MAX_NESTING 16                /* CycloneDX components inside components */
#define SBOMDOC_MAX_FIELD 4096                /* bytes of one name, version, purl... */
#define SBOMDOC_MAX_QUALS 16                  /* purl qualifiers looked at */
#define SBOMDOC_MAX_WARN 20                   /* skipped entries named one by one */

typedef struct purl_t {
	const char *type, *ns, *name, *version; /* decoded, in the arena; ns may be NULL */
	const char *arch, *distro, *upstream, *epoch;
} purl_t;

typedef struct rd {
	ld_catalog *c;
	ld_sbomdoc_image *img;
	lading_ctx *ctx;
	const char *what;
	size_t skipped;
	const char *distro; /* first OS package's distro qualifier, with its purl namespace */
	const char *distro_ns;
} rd;

static void skip(rd *r, const char *why, const char *name)
{
	if (r->skipped++ < SBOMDOC_MAX_WARN)
		ld_warn(r->ctx, "%s: %s%s%.200s: skipped", r->what, why, name ? ": " : "", name ? name : "");
}

/* A string field within the field cap, else NULL. */
static const char *fstr(const ld_json *v)
{
	const char *s = ld_json_str(v);
	return s && *s && v->n <= SBOMDOC_MAX_FIELD && strlen(s) == v->n ? s : NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static char *decode(ld_arena *a, ld_slice s)
{
	char *o = ld_arena_alloc(a, s.len + 1), *q = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < s.len; i++) {
		int h, l;
		if (s.ptr[i] == '%' && i + 2 < s.len + 0 && (h = hexval(s.ptr[i + 1])) >= 0 &&
		    (l = hexval(s.ptr[i + 2])) >= 0 && (h || l)) {
			*q++ = (char)(h * 16 + l);
			i += 2;
		} else {
			*q++ = s.ptr[i];
		}
	}
	*q = '\0';
	return o;
}

/* pkg:TYPE/NS.../NAME@VERSION?QUALS#SUBPATH, per the purl spec; false when not a purl. */
static bool purl_parse(ld_arena *a, const char *s, purl_t *p)
{
	ld_slice rest, quals = LD_SLICE_NULL, path, seg;
	ptrdiff_t at, q, h, slash;
	memset(p, 0, sizeof(*p));
	if (!s || strncmp(s, "pkg:", 4))
		return false;
	rest = ld_slice_cstr(s + 4);
	while (rest.len && rest.ptr[0] == '/')
		rest = ld_slice_sub(rest, 1, rest.len);
	if ((h = ld_slice_find(rest, '#')) >= 0)
		rest.len = (size_t)h;
	if ((q = ld_slice_find(rest, '?')) >= 0) {
		quals = ld_slice_sub(rest, (size_t)q + 1, rest.len);
		rest.len = (size_t)q;
	}
	if ((slash = ld_slice_find(rest, '/')) <= 0)
		return false;
	p->type = ld_arena_slice(a, ld_slice_make(rest.ptr, (size_t)slash));
	path = ld_slice_sub(rest, (size_t)slash + 1, rest.len);
	/* the version follows the last '@' of the last segment (a scope's '@' is %40 or leads) */
	slash = -1;
	for (size_t i = 0; i < path.len; i++)
		if (path.ptr[i] == '/')
			slash = (ptrdiff_t)i;
	at = -1;
	for (size_t i = (size_t)(slash + 1); i < path.len; i++)
		if (path.ptr[i] == '@' && i > (size_t)(slash + 1))
			at = (ptrdiff_t)i;
	if (at >= 0) {
		p->version = decode(a, ld_slice_sub(path, (size_t)at + 1, path.len));
		path.len = (size_t)at;
	}
	while (path.len && path.ptr[path.len - 1] == '/')
		path.len--;
	slash = -1;
	for (size_t i = 0; i < path.len; i++)
		if (path.ptr[i] == '/')
			slash = (ptrdiff_t)i;
	p->name = decode(a, ld_slice_sub(path, (size_t)(slash + 1), path.len));
	if (slash > 0)
		p->ns = decode(a, ld_slice_make(path.ptr, (size_t)slash));
	if (!p->type || !p->name || !*p->name)
		return false;
	for (char *t = (char *)p->type; *t; t++) /* the type is case-insensitive */
		*t = (char)(*t >= 'A' && *t <= 'Z' ? *t + 32 : *t);
	for (size_t n = 0; quals.len && n < SBOMDOC_MAX_QUALS; n++) {
		ld_slice k, v;
		ld_slice_cut(&quals, '&', &seg);
		v = seg;
		if (!ld_slice_cut(&v, '=', &k))
			continue;
		if (ld_slice_eq_cstr(k, "arch"))
			p->arch = decode(a, v);
		else if (ld_slice_eq_cstr(k, "distro"))
			p->distro = decode(a, v);
		else if (ld_slice_eq_cstr(k, "upstream"))
			p->upstream = decode(a, v);
		else if (ld_slice_eq_cstr(k, "epoch"))
			p->epoch = decode(a, v);
	}
	return true;
}

static bool os_type(const char *t)
{
	return t && (!strcmp(t, "deb") || !strcmp(t, "apk") || !strcmp(t, "rpm"));
}

/* rpm's SRPM file name "NAME-VERSION-RELEASE.src.rpm" -> name, "VERSION-RELEASE". */
static void split_srpm(ld_arena *a, const char *srpm, const char **name, const char **ver)
{
	size_t n = strlen(srpm);
	const char *d1 = NULL, *d2 = NULL;
	if (n > 8 && !strcmp(srpm + n - 8, ".src.rpm"))
		n -= 8;
	for (size_t i = n; i-- > 0;) {
		if (srpm[i] != '-')
			continue;
		if (!d2)
			d2 = srpm + i;
		else {
			d1 = srpm + i;
			break;
		}
	}
	if (!d1 || d1 == srpm) {
		*name = ld_arena_strndup(a, srpm, n);
		return;
	}
	*name = ld_arena_strndup(a, srpm, (size_t)(d1 - srpm));
	*ver = ld_arena_strndup(a, d1 + 1, (size_t)(srpm + n - d1 - 1));
}

/* What a document says about a package beyond its purl (lading's or another tool's names). */
typedef struct pkginfo {
	const char *name, *version, *purl, *license, *cpe;
	const char *type, *arch, *src_name, *src_version, *src_release, *src_epoch, *epoch;
	const char *found_by, *location;
	int layer;
	unsigned flags;
} pkginfo;

/* A layer index below `n` written in decimal. */
static bool layer_index(ld_slice s, size_t n, int *out)
{
	uint64_t v;
	if (!ld_slice_to_u64(s, LD_SBOMDOC_MAX_LAYERS, &v) || v >= n)
		return false;
	*out = (int)v;
	return true;
}

static void info_init(pkginfo *i)
{
	memset(i, 0, sizeof(*i));
	i->layer = -1;
}

/* name=value properties of CycloneDX (lading:..., aquasecurity:trivy:...). */
static void info_prop(rd *r, pkginfo *i, const char *k, const char *v)
{
	if (!k || !v)
		return;
	if (!strncmp(k, "lading:package:", 15)) {
		k += 15;
		if (!strcmp(k, "type"))
			i->type = v;
		else if (!strcmp(k, "arch"))
			i->arch = v;
		else if (!strcmp(k, "source_name"))
			i->src_name = v;
		else if (!strcmp(k, "source_version"))
			i->src_version = v;
		else if (!strcmp(k, "found_by"))
			i->found_by = v;
		else if (!strcmp(k, "location"))
			i->location = v;
		else if (!strcmp(k, "layer_index"))
			layer_index(ld_slice_cstr(v), r->img->nlayers, &i->layer);
		else if (!strcmp(k, "os_managed") && !strcmp(v, "true"))
			i->flags |= LADING_PKG_OS_MANAGED;
		else if (!strcmp(k, "local") && !strcmp(v, "true"))
			i->flags |= LADING_PKG_LOCAL;
		else if (!strcmp(k, "application") && !strcmp(v, "true"))
			i->flags |= LADING_PKG_APPLICATION;
	} else if (!strncmp(k, "aquasecurity:trivy:", 19)) {
		k += 19;
		if (!strcmp(k, "SrcName"))
			i->src_name = v;
		else if (!strcmp(k, "SrcVersion"))
			i->src_version = v;
		else if (!strcmp(k, "SrcRelease"))
			i->src_release = v;
		else if (!strcmp(k, "SrcEpoch"))
			i->src_epoch = v;
		else if (!strcmp(k, "PkgEpoch"))
			i->epoch = v;
	}
}

static const char *with_epoch(ld_arena *a, const char *type, const char *ver, const char *epoch)
{
	if (!ver || !epoch || !*epoch || !strcmp(epoch, "0") || strchr(ver, ':') || !os_type(type) ||
	    !strcmp(type, "apk"))
		return ver;
	return ld_arena_printf(a, "%s:%s", epoch, ver);
}

static void note_distro(rd *r, const purl_t *u)
{
	if (!r->distro && u->distro && os_type(u->type)) {
		r->distro = u->distro;
		r->distro_ns = u->ns;
	}
}

/* One package from what the document gave; a component without a usable purl is skipped. */
static int add_pkg(rd *r, const pkginfo *i)
{
	ld_arena *a = &r->c->arena;
	lading_package *p;
	purl_t u;
	const char *type;

	if (!i->purl) {
		skip(r, "a package without a purl", i->name);
		return 0;
	}
	if (!purl_parse(a, i->purl, &u)) {
		skip(r, "not a purl", i->purl);
		return 0;
	}
	if (r->c->pkgs.len >= SBOMDOC_MAX_PACKAGES)
		return ld_error_set(r->ctx, LADING_ELIMIT, "%s: more than %d packages", r->what,
				    SBOMDOC_MAX_PACKAGES);
	note_distro(r, &u);
	type = i->type ? i->type : u.type;
	if (!(p = ld_catalog_add(r->c)))
		return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
	p->type = ld_arena_strdup(a, type);
	p->purl = ld_arena_strdup(a, i->purl);
	if (i->name)
		p->name = ld_arena_strdup(a, i->name);
	else if (u.ns && strcmp(u.type, "deb") && strcmp(u.type, "apk") && strcmp(u.type, "rpm"))
		p->name = ld_arena_printf(a, "%s%c%s", u.ns, !strcmp(u.type, "maven") ? ':' : '/', u.name);
	else
		p->name = u.name;
	p->version = with_epoch(a, type, i->version ? ld_arena_strdup(a, i->version) : u.version,
				i->epoch ? i->epoch : u.epoch);
	p->arch = i->arch ? ld_arena_strdup(a, i->arch) : u.arch;
	p->license = i->license ? ld_arena_strdup(a, i->license) : NULL;
	p->cpe = i->cpe ? ld_arena_strdup(a, i->cpe) : NULL;
	p->found_by = ld_arena_strdup(a, i->found_by ? i->found_by : "sbom");
	p->location = i->location ? ld_arena_strdup(a, i->location) : NULL;
	p->layer = i->layer;
	p->flags = i->flags;
	if (i->src_name) {
		p->source_name = ld_arena_strdup(a, i->src_name);
		if (i->src_version)
			p->source_version = with_epoch(
				a, type,
				i->src_release ? ld_arena_printf(a, "%s-%s", i->src_version, i->src_release)
					       : ld_arena_strdup(a, i->src_version),
				i->src_epoch);
	} else if (u.upstream && os_type(type)) {
		const char *at = strchr(u.upstream, '@');
		if (!strcmp(type, "rpm")) {
			split_srpm(a, u.upstream, &p->source_name, &p->source_version);
		} else if (at) {
			p->source_name = ld_arena_strndup(a, u.upstream, (size_t)(at - u.upstream));
			p->source_version = ld_arena_strdup(a, at + 1);
		} else {
			p->source_name = u.upstream;
		}
	}
	/* OS packages name their source as the catalogers do: themselves when they have none */
	if (os_type(type)) {
		if (!p->source_name)
			p->source_name = p->name;
		if (!p->source_version)
			p->source_version = p->version;
	}
	if (!p->type || !p->purl || !p->name || !p->found_by)
		return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
	if (!p->version)
		skip(r, "a package without a version", p->purl);
	return 0;
}

/* ---- the image and the OS ---- */

static void set_os(rd *r, const char *id, const char *version, const char *pretty)
{
	ld_arena *a = &r->c->arena;
	lading_os *os = &r->c->os;
	if (os->id || !id)
		return;
	os->id = ld_arena_strdup(a, id);
	for (char *t = (char *)os->id; t && *t; t++)
		*t = (char)(*t >= 'A' && *t <= 'Z' ? *t + 32 : *t);
	os->version = version ? ld_arena_strdup(a, version) : NULL;
	os->version_id = os->version;
	os->pretty_name = pretty ? ld_arena_strdup(a, pretty) : NULL;
	os->source = "sbom";
}

/* No OS component: the distro qualifier of the first OS package ("debian-12", or Trivy's bare
 * "3.9.6" beside the namespace "alpine"). */
static void os_from_distro(rd *r)
{
	const char *d = r->distro, *dash;
	if (r->c->os.id || !d)
		return;
	dash = strchr(d, '-');
	if (dash && dash > d && !(d[0] >= '0' && d[0] <= '9')) {
		char *id = ld_arena_strndup(&r->c->arena, d, (size_t)(dash - d));
		set_os(r, id, dash[1] ? dash + 1 : NULL, NULL);
	} else if (r->distro_ns && !strchr(r->distro_ns, '/')) {
		set_os(r, r->distro_ns, d, NULL);
	}
}

static int add_layer(rd *r, const char *digest, size_t index)
{
	ld_sbomdoc_image *im = r->img;
	if (!digest || index >= LD_SBOMDOC_MAX_LAYERS)
		return 0;
	/* one table of the largest size at first use (8 KiB), not one per new index */
	if (!im->layers && !(im->layers = ld_arena_array(&r->c->arena, LD_SBOMDOC_MAX_LAYERS, sizeof(char *))))
		return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
	if (index >= im->nlayers)
		im->nlayers = index + 1;
	if (!(im->layers[index] = ld_arena_strdup(&r->c->arena, digest)))
		return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
	return 0;
}

static bool is_digest(const char *s)
{
	return s && !strncmp(s, "sha256:", 7) && strlen(s) == 71 && strspn(s + 7, "0123456789abcdef") == 64;
}

static void image_name(rd *r, const char *name)
{
	if (name && !r->img->name)
		r->img->name = ld_arena_strdup(&r->c->arena, name);
}

/* ---- CycloneDX ---- */

static void cdx_props(rd *r, const ld_json *comp, pkginfo *i)
{
	const ld_json *pr, *props = ld_json_get(comp, "properties");
	ld_json_foreach_item(props, k, pr) info_prop(r, i, fstr(ld_json_get(pr, "name")), fstr(ld_json_get(pr, "value")));
}

static const char *cdx_license(const ld_json *comp)
{
	const ld_json *l = ld_json_at(ld_json_get(comp, "licenses"), 0);
	const char *s = fstr(ld_json_get(l, "expression"));
	if (!s)
		s = fstr(ld_json_getp(l, "license", "id", NULL));
	if (!s)
		s = fstr(ld_json_getp(l, "license", "name", NULL));
	return s;
}

static int cdx_components(rd *r, const ld_json *arr, unsigned depth)
{
	const ld_json *comp;
	int rc;
	if (depth > SBOMDOC_MAX_NESTING)
		return ld_error_set(r->ctx, LADING_ELIMIT, "%s: components nested deeper than %d", r->what,
				    SBOMDOC_MAX_NESTING);
	ld_json_foreach_item(arr, n, comp)
	{
		const char *type = fstr(ld_json_get(comp, "type"));
		pkginfo i;
		if (type && !strcmp(type, "operating-system")) {
			const ld_json *pr, *props = ld_json_get(comp, "properties");
			set_os(r, fstr(ld_json_get(comp, "name")), fstr(ld_json_get(comp, "version")),
			       fstr(ld_json_get(comp, "description")));
			ld_json_foreach_item(props, k, pr)
			{
				const char *pk = fstr(ld_json_get(pr, "name")), *pv = fstr(ld_json_get(pr, "value"));
				if (pk && pv && !strcmp(pk, "lading:os:version_id"))
					r->c->os.version_id = ld_arena_strdup(&r->c->arena, pv);
				else if (pk && pv && !strcmp(pk, "lading:os:codename"))
					r->c->os.codename = ld_arena_strdup(&r->c->arena, pv);
			}
		} else if (ld_json_get(comp, "purl") || !ld_json_get(comp, "components")) {
			info_init(&i);
			i.name = fstr(ld_json_get(comp, "name"));
			i.version = fstr(ld_json_get(comp, "version"));
			i.purl = fstr(ld_json_get(comp, "purl"));
			i.cpe = fstr(ld_json_get(comp, "cpe"));
			i.license = cdx_license(comp);
			cdx_props(r, comp, &i);
			if ((rc = add_pkg(r, &i)))
				return rc;
		}
		if ((rc = cdx_components(r, ld_json_get(comp, "components"), depth + 1)))
			return rc;
	}
	return 0;
}

/* metadata.component: the image (lading's, Trivy's and Syft's properties). */
static int cdx_image(rd *r, const ld_json *comp)
{
	const ld_json *pr, *props = ld_json_get(comp, "properties");
	const char *ver = fstr(ld_json_get(comp, "version"));
	int rc;
	image_name(r, fstr(ld_json_get(comp, "name")));
	if (is_digest(ver))
		r->img->config_digest = ld_arena_strdup(&r->c->arena, ver);
	ld_json_foreach_item(props, k, pr)
	{
		const char *n = fstr(ld_json_get(pr, "name")), *v = fstr(ld_json_get(pr, "value"));
		uint64_t idx;
		if (!n || !v)
			continue;
		if (!strcmp(n, "lading:image:manifest_digest") && is_digest(v)) {
			r->img->manifest_digest = ld_arena_strdup(&r->c->arena, v);
		} else if (!strcmp(n, "aquasecurity:trivy:ImageID") && is_digest(v)) {
			r->img->config_digest = ld_arena_strdup(&r->c->arena, v);
		} else if (!strcmp(n, "lading:image:platform")) {
			r->img->platform = ld_arena_strdup(&r->c->arena, v);
		} else if (!strncmp(n, "lading:image:layer:", 19)) {
			ld_slice s = ld_slice_cstr(n + 19), num;
			if (ld_slice_cut(&s, ':', &num) && ld_slice_eq_cstr(s, "digest") && ld_slice_to_u64(num, LD_SBOMDOC_MAX_LAYERS, &idx) &&
			    (rc = add_layer(r, v, (size_t)idx)))
				return rc;
		}
	}
	return 0;
}

static int read_cyclonedx(rd *r, const ld_json *doc)
{
	const char *spec = fstr(ld_json_get(doc, "specVersion"));
	const ld_json *meta = ld_json_get(doc, "metadata");
	int rc;
	if (!spec || strncmp(spec, "1.", 2) || !(spec[2] >= '2' && spec[2] <= '6') || spec[3])
		return ld_error_set(r->ctx, LADING_EUNSUPPORTED, "%s: CycloneDX specVersion %s (1.2 to 1.6 are read)",
				    r->what, spec ? spec : "missing");
	r->img->format = ld_arena_printf(&r->c->arena, "cyclonedx-%s", spec);
	/* the image first: package layer indexes refer to its layers */
	if ((rc = cdx_image(r, ld_json_get(meta, "component"))))
		return rc;
	if ((rc = cdx_components(r, ld_json_get(doc, "components"), 0)))
		return rc;
	return 0;
}

/* ---- SPDX ---- */

/* "built from source package NAME VERSION" (lading) or "built package from: NAME VERSION"
 * (Trivy). */
static void spdx_source(ld_arena *a, const char *s, pkginfo *i)
{
	static const char *const lead[] = {"built from source package ", "built package from: "};
	for (size_t k = 0; s && k < LD_ARRAY_LEN(lead); k++) {
		size_t n = strlen(lead[k]);
		const char *sp;
		if (strncmp(s, lead[k], n))
			continue;
		s += n;
		sp = strchr(s, ' ');
		i->src_name = sp ? ld_arena_strndup(a, s, (size_t)(sp - s)) : ld_arena_strdup(a, s);
		if (sp && sp[1])
			i->src_version = ld_arena_strdup(a, sp + 1);
		return;
	}
}

/* lading's package comment: "layer N: DIGEST" and flags, ';'-separated. SPDX has no place for
 * the image's layers: they are rebuilt from these. */
static int spdx_comment(rd *r, const char *s, pkginfo *i)
{
	ld_slice rest = ld_slice_cstr(s ? s : ""), part;
	int rc;
	while (rest.len) {
		ld_slice_cut(&rest, ';', &part);
		part = ld_slice_trim(part);
		if (ld_slice_starts_with(part, "layer ")) {
			ld_slice num = ld_slice_sub(part, 6, part.len);
			ptrdiff_t colon = ld_slice_find(num, ':');
			uint64_t idx;
			char *dg;
			if (colon <= 0 || !ld_slice_to_u64(ld_slice_make(num.ptr, (size_t)colon), LD_SBOMDOC_MAX_LAYERS, &idx))
				continue;
			dg = ld_arena_slice(&r->c->arena, ld_slice_trim(ld_slice_sub(num, (size_t)colon + 1, num.len)));
			if (!dg)
				return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
			if (!is_digest(dg) || (idx < r->img->nlayers && r->img->layers[idx] && strcmp(r->img->layers[idx], dg)))
				continue; /* another digest for a layer already named: keep the first */
			if ((rc = add_layer(r, dg, (size_t)idx)))
				return rc;
			i->layer = (int)idx;
		} else if (ld_slice_eq_cstr(part, "os-managed")) {
			i->flags |= LADING_PKG_OS_MANAGED;
		} else if (ld_slice_eq_cstr(part, "local")) {
			i->flags |= LADING_PKG_LOCAL;
		} else if (ld_slice_eq_cstr(part, "application")) {
			i->flags |= LADING_PKG_APPLICATION;
		}
	}
	return 0;
}

static const char *spdx_purl(const ld_json *pkg)
{
	const ld_json *ref, *refs = ld_json_get(pkg, "externalRefs");
	ld_json_foreach_item(refs, k, ref)
	{
		const char *t = fstr(ld_json_get(ref, "referenceType"));
		if (t && !strcmp(t, "purl"))
			return fstr(ld_json_get(ref, "referenceLocator"));
	}
	return NULL;
}

static const char *spdx_cpe(const ld_json *pkg)
{
	const ld_json *ref, *refs = ld_json_get(pkg, "externalRefs");
	ld_json_foreach_item(refs, k, ref)
	{
		const char *t = fstr(ld_json_get(ref, "referenceType"));
		if (t && (!strcmp(t, "cpe23Type") || !strcmp(t, "cpe22Type")))
			return fstr(ld_json_get(ref, "referenceLocator"));
	}
	return NULL;
}

static const char *spdx_license(const ld_json *pkg)
{
	static const char *const keys[] = {"licenseComments", "licenseDeclared", "licenseConcluded"};
	for (size_t k = 0; k < LD_ARRAY_LEN(keys); k++) {
		const char *s = fstr(ld_json_get(pkg, keys[k]));
		if (s && strcmp(s, "NOASSERTION") && strcmp(s, "NONE"))
			return s;
	}
	return NULL;
}

static void spdx_image(rd *r, const ld_json *pkg)
{
	const char *v = fstr(ld_json_get(pkg, "versionInfo"));
	const ld_json *ck, *cks = ld_json_get(pkg, "checksums");
	image_name(r, fstr(ld_json_get(pkg, "name")));
	if (is_digest(v) && !r->img->config_digest)
		r->img->config_digest = ld_arena_strdup(&r->c->arena, v);
	ld_json_foreach_item(cks, k, ck)
	{
		const char *alg = fstr(ld_json_get(ck, "algorithm")), *val = fstr(ld_json_get(ck, "checksumValue"));
		if (!r->img->config_digest && alg && val && !strcmp(alg, "SHA256")) {
			char *d = ld_arena_printf(&r->c->arena, "sha256:%s", val);
			if (is_digest(d))
				r->img->config_digest = d;
		}
	}
}

static int read_spdx(rd *r, const ld_json *doc)
{
	const char *ver = fstr(ld_json_get(doc, "spdxVersion"));
	const ld_json *pkg, *pkgs = ld_json_get(doc, "packages");
	int rc;
	if (!ver || (strcmp(ver, "SPDX-2.3") && strcmp(ver, "SPDX-2.2")))
		return ld_error_set(r->ctx, LADING_EUNSUPPORTED, "%s: spdxVersion %s (SPDX-2.2 and SPDX-2.3 JSON are read)",
				    r->what, ver ? ver : "missing");
	r->img->format = ver[7] == '3' ? "spdx-2.3" : "spdx-2.2";
	ld_json_foreach_item(pkgs, n, pkg)
	{
		const char *purpose = fstr(ld_json_get(pkg, "primaryPackagePurpose"));
		const char *purl = spdx_purl(pkg);
		pkginfo i;
		if (purpose && !strcmp(purpose, "CONTAINER") && !purl) {
			spdx_image(r, pkg);
			continue;
		}
		if (purpose && !strcmp(purpose, "OPERATING_SYSTEM") && !purl) {
			set_os(r, fstr(ld_json_get(pkg, "name")), fstr(ld_json_get(pkg, "versionInfo")),
			       fstr(ld_json_get(pkg, "description")));
			continue;
		}
		info_init(&i);
		i.name = fstr(ld_json_get(pkg, "name"));
		i.version = fstr(ld_json_get(pkg, "versionInfo"));
		i.purl = purl;
		i.cpe = spdx_cpe(pkg);
		i.license = spdx_license(pkg);
		i.location = fstr(ld_json_get(pkg, "packageFileName"));
		spdx_source(&r->c->arena, fstr(ld_json_get(pkg, "sourceInfo")), &i);
		if ((rc = spdx_comment(r, fstr(ld_json_get(pkg, "comment")), &i)) || (rc = add_pkg(r, &i)))
			return rc;
	}
	return 0;
}

/* ---- lading's own JSON (report/sbom_json.c writes it) ---- */

static int read_lading(rd *r, const ld_json *doc)
{
	const ld_json *img = ld_json_get(doc, "image"), *src = ld_json_get(doc, "source");
	const ld_json *os = ld_json_get(img, "os"), *l, *t, *pkg;
	ld_arena *a = &r->c->arena;
	int rc;
	r->img->format = "lading";
	if (is_digest(fstr(ld_json_get(img, "digest"))))
		r->img->config_digest = ld_arena_strdup(a, fstr(ld_json_get(img, "digest")));
	if (is_digest(fstr(ld_json_get(src, "manifest_digest"))))
		r->img->manifest_digest = ld_arena_strdup(a, fstr(ld_json_get(src, "manifest_digest")));
	image_name(r, fstr(ld_json_get(src, "ref")));
	ld_json_foreach_item(ld_json_get(src, "repo_tags"), k, t) image_name(r, fstr(t));
	if (fstr(ld_json_get(img, "platform")))
		r->img->platform = ld_arena_strdup(a, fstr(ld_json_get(img, "platform")));
	if (fstr(ld_json_get(img, "created")))
		r->img->created = ld_arena_strdup(a, fstr(ld_json_get(img, "created")));
	ld_json_foreach_item(ld_json_get(img, "layers"), k, l) if ((rc = add_layer(r, fstr(ld_json_get(l, "digest")), k))) return rc;
	set_os(r, fstr(ld_json_get(os, "id")), fstr(ld_json_get(os, "version")), fstr(ld_json_get(os, "name")));
	if (fstr(ld_json_get(os, "version_id")))
		r->c->os.version_id = ld_arena_strdup(a, fstr(ld_json_get(os, "version_id")));
	if (fstr(ld_json_get(os, "codename")))
		r->c->os.codename = ld_arena_strdup(a, fstr(ld_json_get(os, "codename")));
	ld_json_foreach_item(ld_json_get(doc, "packages"), n, pkg)
	{
		pkginfo i;
		int64_t v;
		info_init(&i);
		i.name = fstr(ld_json_get(pkg, "name"));
		i.version = fstr(ld_json_get(pkg, "version"));
		i.type = fstr(ld_json_get(pkg, "type"));
		i.arch = fstr(ld_json_get(pkg, "arch"));
		i.purl = fstr(ld_json_get(pkg, "purl"));
		i.cpe = fstr(ld_json_get(pkg, "cpe"));
		i.license = fstr(ld_json_get(pkg, "license"));
		i.found_by = fstr(ld_json_get(pkg, "found_by"));
		i.location = fstr(ld_json_get(pkg, "location"));
		i.src_name = fstr(ld_json_getp(pkg, "source", "name", NULL));
		i.src_version = fstr(ld_json_getp(pkg, "source", "version", NULL));
		if (ld_json_i64(ld_json_getp(pkg, "layer", "index", NULL), &v) && v >= 0 && (size_t)v < r->img->nlayers)
			i.layer = (int)v;
		if (ld_json_bool(ld_json_get(pkg, "os_managed"), false))
			i.flags |= LADING_PKG_OS_MANAGED;
		if (ld_json_bool(ld_json_get(pkg, "application"), false))
			i.flags |= LADING_PKG_APPLICATION;
		if (ld_json_bool(ld_json_get(pkg, "local"), false))
			i.flags |= LADING_PKG_LOCAL;
		if ((rc = add_pkg(r, &i)))
			return rc;
	}
	return 0;
}

int ld_sbomdoc_parse(ld_catalog *c, ld_sbomdoc_image *img, const char *p, size_t len, lading_ctx *ctx,
		     const char *what)
{
	ld_json_limits lim = {SBOMDOC_MAX_DEPTH, 0};
	ld_arena tree;
	ld_json *doc = NULL;
	const char *schema;
	rd r = {c, img, ctx, what, 0, NULL, NULL};
	int rc;

	memset(img, 0, sizeof(*img));
	if (len > SBOMDOC_MAX_BYTES)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: larger than %zu bytes", what, SBOMDOC_MAX_BYTES);
	lim.max_arena = len < (SBOMDOC_MAX_TREE - (1 << 20)) / 16 ? 16 * len + (1 << 20) : SBOMDOC_MAX_TREE;
	ld_arena_init(&tree, 0);
	if ((rc = ld_json_parse(&doc, &tree, p, len, &lim, ctx, what)))
		goto out;
	if (!ld_json_is(doc, LD_JSON_OBJECT)) {
		rc = ld_error_set(ctx, LADING_EINVALID, "%s: not a JSON object", what);
		goto out;
	}
	schema = fstr(ld_json_get(doc, "schema"));
	if (ld_json_get(doc, "bomFormat")) {
		const char *f = fstr(ld_json_get(doc, "bomFormat"));
		if (!f || strcmp(f, "CycloneDX")) {
			rc = ld_error_set(ctx, LADING_EUNSUPPORTED, "%s: bomFormat is not CycloneDX", what);
			goto out;
		}
		rc = read_cyclonedx(&r, doc);
	} else if (ld_json_get(doc, "spdxVersion")) {
		rc = read_spdx(&r, doc);
	} else if (schema && !strcmp(schema, "lading.sbom/v1")) {
		rc = read_lading(&r, doc);
	} else {
		rc = ld_error_set(ctx, LADING_EUNSUPPORTED,
				  "%s: not an SBOM lading reads (CycloneDX 1.2-1.6 JSON, SPDX 2.2/2.3 JSON, "
				  "lading.sbom/v1 JSON)",
				  what);
	}
	if (!rc) {
		os_from_distro(&r);
		if (r.skipped > SBOMDOC_MAX_WARN)
			ld_warn(ctx, "%s: %zu entries skipped in all", what, r.skipped);
	}
out:
	/* every string kept was copied into the catalog's arena */
	ld_arena_release(&tree);
	return rc;
}
