/* OS detection: os-release first (etc/ then usr/lib/), refined and backed up by the
 * distribution's own release files (alpine-release, debian_version, redhat-release and kin,
 * lsb-release). */
#include "util/common.h"
#include "catalog/catalog.h"

/* Named limits. */
#define OS_MAX_FILE (64u * 1024)
#define OS_MAX_LINES 1000

static const char *const os_wants[] = {
	"etc/os-release",      "usr/lib/os-release",    "etc/alpine-release",  "etc/debian_version",
	"etc/redhat-release",  "etc/centos-release",    "etc/fedora-release",  "etc/rocky-release",
	"etc/almalinux-release", "etc/oracle-release",  "etc/system-release",  "etc/lsb-release",
	"etc/SuSE-release",    "etc/photon-release",    "etc/mariner-release", "etc/azurelinux-release",
	NULL,
};

/* One KEY=VALUE of os-release: value unquoted ("..." with \-escapes, or '...'). */
static char *unquote(ld_arena *a, ld_slice v)
{
	ld_buf b = LD_BUF_INIT;
	char *r;
	v = ld_slice_trim(v);
	if (v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"') {
		for (size_t i = 1; i + 1 < v.len; i++) {
			if (v.ptr[i] == '\\' && i + 2 < v.len)
				i++;
			ld_buf_addc(&b, v.ptr[i]);
		}
	} else if (v.len >= 2 && v.ptr[0] == '\'' && v.ptr[v.len - 1] == '\'') {
		ld_buf_add(&b, v.ptr + 1, v.len - 2);
	} else {
		ld_buf_addslice(&b, v);
	}
	r = ld_buf_error(&b) ? NULL : ld_arena_slice(a, ld_buf_slice(&b));
	ld_buf_release(&b);
	return r;
}

static const char *kv_get(ld_arena *a, ld_slice text, const char *key)
{
	ld_slice line;
	size_t kl = strlen(key), n = 0;
	while (ld_slice_next_line(&text, &line) && n++ < OS_MAX_LINES) {
		line = ld_slice_trim(line);
		if (line.len > kl && !memcmp(line.ptr, key, kl) && line.ptr[kl] == '=') {
			char *v = unquote(a, ld_slice_sub(line, kl + 1, line.len));
			return v && *v ? v : NULL;
		}
	}
	return NULL;
}

static char *lower(ld_arena *a, const char *s)
{
	char *r = ld_arena_strdup(a, s);
	for (char *p = r; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

static const char *debian_codename(const char *major)
{
	static const struct {
		const char *v, *c;
	} t[] = {{"7", "wheezy"}, {"8", "jessie"}, {"9", "stretch"}, {"10", "buster"}, {"11", "bullseye"},
		 {"12", "bookworm"}, {"13", "trixie"}, {"14", "forky"}};
	for (size_t i = 0; i < LD_ARRAY_LEN(t); i++)
		if (!strcmp(major, t[i].v))
			return t[i].c;
	return NULL;
}

/* "CentOS Linux release 7.9.2009 (Core)" -> "7.9.2009" */
static char *release_version(ld_arena *a, ld_slice text)
{
	ld_slice line;
	ld_slice_next_line(&text, &line);
	for (size_t i = 0; i < line.len; i++) {
		if (line.ptr[i] >= '0' && line.ptr[i] <= '9' && (i == 0 || line.ptr[i - 1] == ' ')) {
			size_t j = i;
			while (j < line.len && ((line.ptr[j] >= '0' && line.ptr[j] <= '9') || line.ptr[j] == '.'))
				j++;
			return ld_arena_slice(a, ld_slice_make(line.ptr + i, j - i));
		}
	}
	return NULL;
}

static int read_file(ld_catalog *c, const char *path, ld_slice *out)
{
	return ld_view_read(c->view, path, out, NULL);
}

/* os-release (/etc, else /usr/lib): the identity most images state. */
static void from_os_release(ld_catalog *c)
{
	ld_arena *a = &c->arena;
	lading_os *os = &c->os;
	ld_slice t;
	const char *id;

	if (read_file(c, "etc/os-release", &t) == 0)
		os->source = "/etc/os-release";
	else if (read_file(c, "usr/lib/os-release", &t) == 0)
		os->source = "/usr/lib/os-release";
	else
		return;
	id = kv_get(a, t, "ID");
	os->id = id ? lower(a, id) : NULL;
	os->version_id = kv_get(a, t, "VERSION_ID");
	os->codename = kv_get(a, t, "VERSION_CODENAME");
	os->name = kv_get(a, t, "NAME");
	os->pretty_name = kv_get(a, t, "PRETTY_NAME");
	os->id_like = kv_get(a, t, "ID_LIKE");
	if (!os->codename && os->id && !strcmp(os->id, "ubuntu"))
		os->codename = kv_get(a, t, "UBUNTU_CODENAME");
}

static void from_alpine_release(ld_catalog *c)
{
	lading_os *os = &c->os;
	ld_slice t, line;

	if (read_file(c, "etc/alpine-release", &t) != 0)
		return;
	ld_slice_next_line(&t, &line);
	line = ld_slice_trim(line);
	if (!os->id)
		os->id = "alpine", os->source = "/etc/alpine-release";
	if (!strcmp(os->id, "alpine") && line.len)
		os->version = ld_arena_slice(&c->arena, line);
}

/* debian_version: the point release ("12.5"), or testing's "trixie/sid". */
static void from_debian_version(ld_catalog *c)
{
	ld_arena *a = &c->arena;
	lading_os *os = &c->os;
	ld_slice t, line;

	if ((os->id && strcmp(os->id, "debian")) || read_file(c, "etc/debian_version", &t) != 0)
		return;
	ld_slice_next_line(&t, &line);
	line = ld_slice_trim(line);
	if (!os->id)
		os->id = "debian", os->source = "/etc/debian_version";
	if (line.len && line.ptr[0] >= '0' && line.ptr[0] <= '9') {
		os->version = ld_arena_slice(a, line);
		if (!os->version_id) {
			ld_slice major = line, rest = line;
			ld_slice_cut(&rest, '.', &major);
			os->version_id = ld_arena_slice(a, major);
		}
	} else if (line.len && !os->codename) {
		/* testing/unstable: "trixie/sid" */
		ld_slice rest = line, code;
		ld_slice_cut(&rest, '/', &code);
		os->codename = ld_arena_slice(a, code);
	}
	if (!os->codename && os->version_id)
		os->codename = debian_codename(os->version_id);
}

static void from_lsb_release(ld_catalog *c)
{
	ld_arena *a = &c->arena;
	lading_os *os = &c->os;
	const char *id;
	ld_slice t;

	if (os->id || read_file(c, "etc/lsb-release", &t) != 0)
		return;
	if (!(id = kv_get(a, t, "DISTRIB_ID")))
		return;
	os->id = lower(a, id);
	os->version_id = kv_get(a, t, "DISTRIB_RELEASE");
	os->codename = kv_get(a, t, "DISTRIB_CODENAME");
	os->pretty_name = kv_get(a, t, "DISTRIB_DESCRIPTION");
	os->source = "/etc/lsb-release";
}

/* The RPM distributions' release files: the identity when nothing else gave one, and a more
 * precise version. */
static void from_rpm_release(ld_catalog *c)
{
	static const struct {
		const char *file, *id;
	} rel[] = {{"etc/almalinux-release", "almalinux"}, {"etc/rocky-release", "rocky"},
		   {"etc/oracle-release", "ol"},           {"etc/centos-release", "centos"},
		   {"etc/fedora-release", "fedora"},       {"etc/mariner-release", "mariner"},
		   {"etc/azurelinux-release", "azurelinux"}, {"etc/photon-release", "photon"},
		   {"etc/redhat-release", "rhel"},         {"etc/system-release", NULL}};
	ld_arena *a = &c->arena;
	lading_os *os = &c->os;
	ld_slice t;

	for (size_t i = 0; i < LD_ARRAY_LEN(rel); i++) {
		char *v;
		if (read_file(c, rel[i].file, &t) != 0)
			continue;
		v = release_version(a, t);
		if (!os->id && rel[i].id) {
			ld_slice line;
			ld_slice tt = t;
			ld_slice_next_line(&tt, &line);
			os->id = rel[i].id;
			os->pretty_name = ld_arena_slice(a, ld_slice_trim(line));
			os->source = ld_arena_printf(a, "/%s", rel[i].file);
			if (!strcmp(rel[i].id, "rhel") && ld_slice_find_str(line, LD_SLICE_LIT("CentOS")) >= 0)
				os->id = "centos";
		}
		/* a release file refines os-release's version only when they agree (7 -> 7.9.2009) */
		if (v && *v && os->id && rel[i].id && !strcmp(os->id, rel[i].id) && !os->version &&
		    (!os->version_id || !strncmp(v, os->version_id, strlen(os->version_id))))
			os->version = v;
		if (v && *v && !os->version_id && os->id && rel[i].id && !strcmp(os->id, rel[i].id))
			os->version_id = v;
	}
}

static int os_run(ld_catalog *c, lading_ctx *ctx)
{
	lading_os *os = &c->os;
	(void)ctx;

	from_os_release(c);
	/* distribution files: more precise versions, and the only source on old images */
	from_alpine_release(c);
	from_debian_version(c);
	from_lsb_release(c);
	from_rpm_release(c);
	if (!os->version)
		os->version = os->version_id;
	/* purl distro qualifier: "<id>-<version_id>" (debian-12, alpine-3.20.3, ubuntu-22.04) */
	if (os->id) {
		const char *v = !strcmp(os->id, "alpine") && os->version ? os->version : os->version_id;
		if (v)
			ld_snprintf(c->distro, sizeof(c->distro), "%s-%s", os->id, v);
		else
			ld_snprintf(c->distro, sizeof(c->distro), "%s", os->id);
	}
	return 0;
}

const ld_cataloger ld_cataloger_os = {"os-release", "1", os_wants, OS_MAX_FILE, os_run, NULL};
