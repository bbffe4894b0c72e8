/* Products lading knows (display names, where the vulnerability data tracks them, CPE names) and
 * the observation helpers every probe and importer uses: sanitized fields, product names as
 * services and scan data spell them, versions split from their distribution build hints. */
#include <ctype.h>

#include "util/common.h"
#include "census/census.h"

/* Named limits. */
#define OBS_STRING_MAX LD_CENSUS_FIELD_MAX

/* key, name, Bitnami package, NVD vendor:product (and a second spelling), release line parts. */
static const ld_census_product products[] = {
	{"apache-httpd", "Apache httpd", "apache", "apache", "http_server", NULL, NULL, 2},
	{"consul", "Consul", "consul", "hashicorp", "consul", NULL, NULL, 2},
	{"couchdb", "CouchDB", "couchdb", "apache", "couchdb", NULL, NULL, 2},
	{"docker", "Docker Engine", NULL, "docker", "docker", "mobyproject", "moby", 2},
	{"docker-registry", "Docker Registry", NULL, NULL, NULL, NULL, NULL, 2},
	{"dropbear", "Dropbear SSH", NULL, "dropbear_ssh_project", "dropbear_ssh", NULL, NULL, 1},
	{"elasticsearch", "Elasticsearch", "elasticsearch", "elastic", "elasticsearch",
	 "elasticsearch", "elasticsearch", 2},
	{"etcd", "etcd", "etcd", "etcd", "etcd", "redhat", "etcd", 2},
	{"exim", "Exim", NULL, "exim", "exim", NULL, NULL, 2},
	{"iis", "Microsoft IIS", NULL, "microsoft", "internet_information_services", NULL, NULL, 2},
	{"keydb", "KeyDB", "keydb", NULL, NULL, NULL, NULL, 2},
	{"kubernetes", "Kubernetes", NULL, "kubernetes", "kubernetes", NULL, NULL, 2},
	{"lighttpd", "lighttpd", NULL, "lighttpd", "lighttpd", NULL, NULL, 2},
	{"mariadb", "MariaDB", "mariadb", "mariadb", "mariadb", NULL, NULL, 2},
	{"memcached", "memcached", "memcached", "memcached", "memcached", NULL, NULL, 2},
	{"mongodb", "MongoDB", "mongodb", "mongodb", "mongodb", NULL, NULL, 2},
	{"mysql", "MySQL", NULL, "oracle", "mysql", "mysql", "mysql", 2},
	{"nginx", "nginx", "nginx", "f5", "nginx", "nginx", "nginx", 2},
	{"openresty", "OpenResty", "openresty", "openresty", "openresty", NULL, NULL, 2},
	{"openssh", "OpenSSH", NULL, "openbsd", "openssh", NULL, NULL, 2},
	{"postfix", "Postfix", NULL, "postfix", "postfix", NULL, NULL, 2},
	{"postgresql", "PostgreSQL", "postgresql", "postgresql", "postgresql", NULL, NULL, 1},
	{"proftpd", "ProFTPD", NULL, "proftpd", "proftpd", NULL, NULL, 2},
	{"redis", "Redis", "redis", "redis", "redis", "redislabs", "redis", 2},
	{"valkey", "Valkey", "valkey", NULL, NULL, NULL, NULL, 2},
	{"vsftpd", "vsftpd", NULL, "beasts", "vsftpd", NULL, NULL, 2},
};

/* Names as services, nmap, Shodan and Censys write them (lowercase, blanks as written). */
static const struct {
	const char *alias, *key;
} aliases[] = {
	{"apache", "apache-httpd"},
	{"apache http server", "apache-httpd"},
	{"apache httpd", "apache-httpd"},
	{"apache-httpd", "apache-httpd"},
	{"apache couchdb", "couchdb"},
	{"couchdb", "couchdb"},
	{"consul", "consul"},
	{"hashicorp consul", "consul"},
	{"docker", "docker"},
	{"docker engine", "docker"},
	{"docker engine api", "docker"},
	{"docker daemon", "docker"},
	{"docker-registry", "docker-registry"},
	{"docker registry", "docker-registry"},
	{"docker registry (api: 2.0)", "docker-registry"},
	{"distribution", "docker-registry"},
	{"dropbear", "dropbear"},
	{"dropbear sshd", "dropbear"},
	{"dropbear_ssh", "dropbear"},
	{"elastic", "elasticsearch"},
	{"elasticsearch", "elasticsearch"},
	{"elasticsearch rest api", "elasticsearch"},
	{"etcd", "etcd"},
	{"exim", "exim"},
	{"exim smtpd", "exim"},
	{"http_server", "apache-httpd"},
	{"httpd", "apache-httpd"},
	{"iis", "iis"},
	{"internet_information_services", "iis"},
	{"microsoft iis httpd", "iis"},
	{"microsoft-iis", "iis"},
	{"keydb", "keydb"},
	{"k8s", "kubernetes"},
	{"kubernetes", "kubernetes"},
	{"kubernetes api", "kubernetes"},
	{"lighttpd", "lighttpd"},
	{"mariadb", "mariadb"},
	{"memcache", "memcached"},
	{"memcached", "memcached"},
	{"mongod", "mongodb"},
	{"mongodb", "mongodb"},
	{"mysql", "mysql"},
	{"mysql server", "mysql"},
	{"nginx", "nginx"},
	{"openresty", "openresty"},
	{"openresty web app server", "openresty"},
	{"openssh", "openssh"},
	{"postfix", "postfix"},
	{"postfix smtpd", "postfix"},
	{"postgres", "postgresql"},
	{"postgresql", "postgresql"},
	{"postgresql db", "postgresql"},
	{"proftpd", "proftpd"},
	{"redis", "redis"},
	{"redis key-value store", "redis"},
	{"redis server", "redis"},
	{"valkey", "valkey"},
	{"vsftpd", "vsftpd"},
};

const ld_census_product *ld_census_product_get(const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < LD_ARRAY_LEN(products); i++)
		if (!strcmp(products[i].key, key))
			return &products[i];
	return NULL;
}

static const char *alias_lookup(ld_slice name)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(aliases); i++)
		if (ld_slice_case_eq_cstr(name, aliases[i].alias))
			return aliases[i].key;
	return NULL;
}

const char *ld_census_product_key(ld_slice name)
{
	const char *k;
	ld_slice first;
	name = ld_slice_trim(name);
	if (!name.len)
		return NULL;
	if ((k = alias_lookup(name)))
		return k;
	/* "Redis key-value store 7.0", "nginx web server": try the first word */
	first = name;
	for (size_t i = 0; i < name.len; i++) {
		if (name.ptr[i] == ' ' || name.ptr[i] == '/' || name.ptr[i] == '_') {
			first = ld_slice_sub(name, 0, i);
			break;
		}
	}
	return first.len < name.len ? alias_lookup(first) : NULL;
}

/* ------------------------------------------------------------------ observations */

void ld_census_obs_init(ld_census_obs *o, ld_arena *arena)
{
	memset(o, 0, sizeof(*o));
	o->arena = arena;
	o->switch_to = -1;
}

/* Printable copy: control bytes and invalid UTF-8 become '?', runs of blanks one space. */
static char *clean_copy(ld_arena *a, ld_slice v, size_t max)
{
	char *s;
	size_t n = 0;
	v = ld_slice_trim(v);
	if (v.len > max)
		v.len = max;
	s = ld_arena_alloc(a, v.len + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.ptr[i];
		if (c == ' ' || c == '\t') {
			if (n && s[n - 1] != ' ')
				s[n++] = ' ';
		} else if (c < 0x20 || c == 0x7f || c >= 0x80) {
			/* non-ASCII: banners are ASCII by protocol; keep them plain and safe */
			s[n++] = '?';
		} else {
			s[n++] = (char)c;
		}
	}
	while (n && s[n - 1] == ' ')
		n--;
	s[n] = '\0';
	return s;
}

void ld_census_obs_set(ld_census_obs *o, const char **field, ld_slice v)
{
	char *s;
	if (!ld_slice_trim(v).len)
		return;
	s = clean_copy(o->arena, v, OBS_STRING_MAX);
	if (s && *s)
		*field = s;
}

void ld_census_obs_attr(ld_census_obs *o, const char *key, ld_slice v)
{
	char *s;
	size_t i;
	if (!ld_slice_trim(v).len)
		return;
	s = clean_copy(o->arena, v, LD_CENSUS_ATTR_MAX);
	if (!s || !*s)
		return;
	for (i = 0; i < o->nattrs; i++) {
		if (!strcmp(o->attrs[i].key, key)) {
			o->attrs[i].value = s;
			return;
		}
	}
	if (o->nattrs >= LD_CENSUS_ATTRS_MAX)
		return;
	o->attrs[o->nattrs].key = ld_arena_strdup(o->arena, key);
	o->attrs[o->nattrs].value = s;
	if (o->attrs[o->nattrs].key)
		o->nattrs++;
}

const char *ld_census_obs_get_attr(const ld_census_obs *o, const char *key)
{
	for (size_t i = 0; i < o->nattrs; i++)
		if (!strcmp(o->attrs[i].key, key))
			return o->attrs[i].value;
	return NULL;
}

void ld_census_obs_product(ld_census_obs *o, ld_slice name)
{
	const char *k = ld_census_product_key(name);
	char *low;
	if (k) {
		o->product = k;
		return;
	}
	low = clean_copy(o->arena, name, 64);
	if (!low || !*low)
		return;
	for (char *p = low; *p; p++)
		*p = (char)(*p == ' ' ? '-' : tolower((unsigned char)*p));
	o->product = low;
}

void ld_census_escape(ld_buf *b, ld_slice raw)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < raw.len; i++) {
		unsigned char c = (unsigned char)raw.ptr[i];
		if (c == '\r')
			ld_buf_add(b, "\\r", 2);
		else if (c == '\n')
			ld_buf_add(b, "\\n", 2);
		else if (c == '\t')
			ld_buf_add(b, "\\t", 2);
		else if (c == '\\')
			ld_buf_add(b, "\\\\", 2);
		else if (c >= 0x20 && c < 0x7f)
			ld_buf_addc(b, (char)c);
		else {
			char x[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
			ld_buf_add(b, x, 4);
		}
	}
}

void ld_census_obs_evidence(ld_census_obs *o, ld_slice raw)
{
	ld_buf b;
	bool cut = raw.len > LD_CENSUS_EVIDENCE_MAX;
	if (!raw.len)
		return;
	ld_buf_init(&b, 4 * LD_CENSUS_EVIDENCE_MAX + 16);
	ld_census_escape(&b, ld_slice_sub(raw, 0, LD_CENSUS_EVIDENCE_MAX));
	if (cut)
		ld_buf_adds(&b, "...");
	if (!ld_buf_error(&b))
		o->evidence = ld_arena_strndup(o->arena, ld_buf_cstr(&b), b.len);
	ld_buf_release(&b);
}

/* ------------------------------------------------------------------ versions */

static bool ci_contains(ld_slice s, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; n && i + n <= s.len; i++)
		if (ld_slice_case_eq_cstr(ld_slice_sub(s, i, n), needle))
			return true;
	return false;
}

/* "el8", ".el7_9", "fc38", "deb12u3", "bpo11": a marker followed by a digit, at the start or
 * after a separator. */
static bool marker_digit(ld_slice s, const char *m)
{
	size_t n = strlen(m);
	for (size_t i = 0; i + n < s.len; i++) {
		if ((i == 0 || !isalpha((unsigned char)s.ptr[i - 1])) &&
		    ld_slice_case_eq_cstr(ld_slice_sub(s, i, n), m) && isdigit((unsigned char)s.ptr[i + n]))
			return true;
	}
	return false;
}

bool ld_census_is_distro_hint(ld_slice s)
{
	static const char *const words[] = {"debian", "ubuntu", "raspbian", "centos", "red hat",
					    "redhat", "rhel", "fedora", "amzn", "amazon linux",
					    "suse", "sles", "freebsd", "openbsd", "netbsd",
					    "dfsg", "alpine", "gentoo", "arch linux", "rocky",
					    "almalinux", "oracle linux", "photon", "mariner"};
	static const char *const markers[] = {"deb", "el", "fc", "bpo", "ubuntu", "amzn"};
	/* upstream projects' own packages carry upstream releases, not distribution backports:
	 * PostgreSQL's apt.postgresql.org ("pgdg"), MariaDB's repositories ("+maria~") */
	if (ci_contains(s, "pgdg") || ci_contains(s, "maria~"))
		return false;
	for (size_t i = 0; i < LD_ARRAY_LEN(words); i++)
		if (ci_contains(s, words[i]))
			return true;
	for (size_t i = 0; i < LD_ARRAY_LEN(markers); i++)
		if (marker_digit(s, markers[i]))
			return true;
	return false;
}

static ld_slice strip_parens(ld_slice s)
{
	s = ld_slice_trim(s);
	if (s.len >= 2 && s.ptr[0] == '(' && s.ptr[s.len - 1] == ')')
		s = ld_slice_trim(ld_slice_sub(s, 1, s.len - 2));
	return s;
}

static void set_distro(ld_census_obs *o, ld_slice d)
{
	char *s;
	d = strip_parens(d);
	if (!d.len || o->distro)
		return;
	s = clean_copy(o->arena, d, OBS_STRING_MAX);
	if (!s)
		return;
	/* nmap writes OpenSSH's comment with a blank ("Debian 2+deb12u3"); the banner has '-' */
	for (char *p = s; *p; p++)
		if (*p == ' ')
			*p = '-';
	o->distro = s;
}

static bool is_mysqlish(const char *product)
{
	return product && (!strcmp(product, "mysql") || !strcmp(product, "mariadb"));
}

void ld_census_obs_version(ld_census_obs *o, ld_slice raw)
{
	ld_slice v = ld_slice_trim(raw), token, rest;
	size_t i;
	if (!v.len)
		return;
	if (v.len > 1 && (v.ptr[0] == 'v' || v.ptr[0] == 'V') && isdigit((unsigned char)v.ptr[1])) {
		ld_census_obs_attr(o, "version_raw", v);
		v = ld_slice_sub(v, 1, v.len - 1);
	}
	/* MariaDB 10+ announces itself as "5.5.5-10.11.6-MariaDB-..." for old replication clients */
	if (ci_contains(v, "mariadb")) {
		if (!o->product || !strcmp(o->product, "mysql"))
			o->product = "mariadb";
		if (ld_slice_starts_with(v, "5.5.5-"))
			v = ld_slice_sub(v, 6, v.len - 6);
	}
	for (i = 0; i < v.len && v.ptr[i] != ' ' && v.ptr[i] != '('; i++)
		;
	token = ld_slice_sub(v, 0, i);
	rest = ld_slice_trim(ld_slice_sub(v, i, v.len - i));
	/* build suffix inside the token: "10.11.6-MariaDB-0+deb12u1", "8.0.36-0ubuntu0.22.04.1",
	 * "20.10.24+dfsg1", "5.7.44-log" */
	for (i = 0; i < token.len; i++) {
		char c = token.ptr[i];
		ld_slice suffix;
		if (c != '-' && c != '+' && c != '~')
			continue;
		suffix = ld_slice_sub(token, i + 1, token.len - i - 1);
		while (ld_slice_starts_with(suffix, "MariaDB") || ld_slice_starts_with(suffix, "mariadb")) {
			suffix = ld_slice_sub(suffix, 7, suffix.len - 7);
			if (suffix.len && (suffix.ptr[0] == '-' || suffix.ptr[0] == '+'))
				suffix = ld_slice_sub(suffix, 1, suffix.len - 1);
		}
		if (ld_census_is_distro_hint(suffix) ||
		    (c == '+' && ld_census_is_distro_hint(ld_slice_sub(token, i, token.len - i)))) {
			set_distro(o, suffix);
			token = ld_slice_sub(token, 0, i);
		} else if (is_mysqlish(o->product) && c == '-') {
			/* MySQL's suffixes are build flavours ("log", "debug", Percona's "27") */
			if (suffix.len)
				ld_census_obs_attr(o, "version_suffix", suffix);
			token = ld_slice_sub(token, 0, i);
		}
		break;
	}
	ld_census_obs_set(o, &o->version, token);
	if (rest.len) {
		if (ld_census_is_distro_hint(rest))
			set_distro(o, rest);
		else
			ld_census_obs_attr(o, "version_comment", strip_parens(rest));
	}
}

/* CPE 2.3 formatted-string escaping of one component. */
static void cpe_component(ld_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '_' || c == '.' || c == '-')
			ld_buf_addc(b, (char)tolower(c));
		else if (c > 0x20 && c < 0x7f) {
			ld_buf_addc(b, '\\');
			ld_buf_addc(b, (char)c);
		}
	}
}

void ld_census_obs_finish(ld_census_obs *o)
{
	const ld_census_product *p = ld_census_product_get(o->product);
	ld_buf b;
	if (o->cpe || !p || !p->cpe_vendor)
		return;
	ld_buf_init(&b, 512);
	ld_buf_adds(&b, "cpe:2.3:a:");
	cpe_component(&b, p->cpe_vendor);
	ld_buf_addc(&b, ':');
	cpe_component(&b, p->cpe_product);
	ld_buf_addc(&b, ':');
	if (o->version)
		cpe_component(&b, o->version);
	else
		ld_buf_addc(&b, '*');
	ld_buf_adds(&b, ":*:*:*:*:*:*:*");
	if (!ld_buf_error(&b))
		o->cpe = ld_arena_strndup(o->arena, ld_buf_cstr(&b), b.len);
	ld_buf_release(&b);
}

int ld_census_obs_to_record(const ld_census_obs *o, lading_census_record *r)
{
	lading_census_attr *attrs = NULL;
	if (o->nattrs) {
		attrs = ld_arena_array(o->arena, o->nattrs, sizeof(*attrs));
		if (!attrs)
			return LADING_ENOMEM;
		memcpy(attrs, o->attrs, o->nattrs * sizeof(*attrs));
	}
	r->service = o->service;
	r->product = o->product;
	r->version = o->version;
	r->distro = o->distro;
	r->cpe = o->cpe;
	r->note = o->note;
	r->evidence = o->evidence;
	r->attrs = attrs;
	r->attr_count = o->nattrs;
	return 0;
}
