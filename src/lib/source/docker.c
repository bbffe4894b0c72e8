/* Docker Engine API client (Docker, and Podman's compatible service) over unix:// or tcp://:
 * container snapshots (/containers/json, /containers/{id}/json) and images read from the engine
 * (/images/{name}/json, /images/{id}/get).
 *
 * An engine image comes as a docker-archive stream. It is spooled into an anonymous memory file
 * (memfd, capped by LD_DOCKER_SPOOL_MAX) and then read by the docker-archive reader exactly as a
 * `docker save` file: nothing is written to disk, and `docker:NAME` gives the same result as
 * `docker-archive:FILE` of the same image. Why not stream it in one pass: Podman and Docker put
 * manifest.json (the only member that says which tar member is which layer, in which order) at
 * the end of the stream, after the layers, so a one-pass reader would have to keep every layer's
 * analysis before knowing whether and where it belongs; docs/containers.md has the figures. */

#include <sys/mman.h>

#include "util/common.h"
#include "util/http.h"
#include "source/containers.h"
#include "source/source.h"

/* Named limits. */
#define LD_DOCKER_SPOOL_MAX ((uint64_t)8 << 30) /* one image as docker-archive, in memory */
#define DOCKER_MAX_JSON_BYTES (64u << 20)       /* /containers/json, /images/{id}/json */
#define DOCKER_MAX_INSPECT_BYTES (4u << 20)     /* one /containers/{id}/json */
#define DOCKER_MAX_NAME 1024                    /* image name or id in a URL */

typedef struct docker_client {
	ld_http *http;
	char base[600];   /* "http://localhost" for a socket, "http(s)://HOST:PORT" for tcp */
	char host[600];   /* as given, for messages */
	char sock[512];
	char ca[1100], cert[1100], key[1100]; /* TLS files (DOCKER_CERT_PATH) */
} docker_client;

static bool file_exists(const char *p)
{
	return access(p, R_OK) == 0;
}

/* TLS to a tcp:// engine, Docker's conventions: DOCKER_TLS_VERIFY set to anything non-empty
 * (or an https:// host) asks for TLS with the engine's certificate verified against
 * $DOCKER_CERT_PATH/ca.pem (default ~/.docker/ca.pem; the system's CAs when the directory has
 * none and the host is https://), and cert.pem + key.pem there as the client certificate (the
 * engine's --tlsverify demands one). *tls = whether to speak TLS. */
static int tls_setup(docker_client *dc, bool https, ld_http_options *ho, bool *tls, lading_ctx *ctx)
{
	const char *verify = getenv("DOCKER_TLS_VERIFY"), *dir = getenv("DOCKER_CERT_PATH");
	const char *home = getenv("HOME");
	char d[1024];

	*tls = https || (verify && *verify);
	if (!*tls)
		return 0;
	if (dir && *dir)
		ld_strlcpy(d, dir, sizeof(d));
	else if (home && *home)
		ld_snprintf(d, sizeof(d), "%s/.docker", home);
	else
		d[0] = '\0';
	ld_snprintf(dc->ca, sizeof(dc->ca), "%s/ca.pem", d);
	ld_snprintf(dc->cert, sizeof(dc->cert), "%s/cert.pem", d);
	ld_snprintf(dc->key, sizeof(dc->key), "%s/key.pem", d);
	if (d[0] && file_exists(dc->ca))
		ho->ca_file = dc->ca;
	else if (!https)
		return ld_error_set(ctx, LADING_EUSAGE,
				    "DOCKER_TLS_VERIFY is set but %s cannot be read: set DOCKER_CERT_PATH to "
				    "the directory of ca.pem, cert.pem and key.pem",
				    d[0] ? dc->ca : "~/.docker/ca.pem");
	if (d[0] && file_exists(dc->cert) != file_exists(dc->key))
		return ld_error_set(ctx, LADING_EUSAGE, "%s: cert.pem and key.pem go together (one is missing)", d);
	if (d[0] && file_exists(dc->cert)) {
		ho->cert_file = dc->cert;
		ho->key_file = dc->key;
	}
	return 0;
}

static int client_open(docker_client *dc, const char *host, lading_ctx *ctx)
{
	ld_http_options ho = {0};
	int rc;
	memset(dc, 0, sizeof(*dc));
	if (!host || !*host)
		host = lading_docker_host_default();
	ld_strlcpy(dc->host, host, sizeof(dc->host));
	if (!strncmp(host, "unix://", 7)) {
		if (!host[7] || strlen(host + 7) >= sizeof(dc->sock))
			return ld_error_set(ctx, LADING_EUSAGE, "bad Docker host '%s' (unix:///PATH)", host);
		ld_strlcpy(dc->sock, host + 7, sizeof(dc->sock));
		ld_strlcpy(dc->base, "http://localhost", sizeof(dc->base));
		ho.unix_socket = dc->sock;
	} else if (!strncmp(host, "tcp://", 6) || !strncmp(host, "http://", 7) || !strncmp(host, "https://", 8)) {
		bool https = host[4] == 's', tls;
		const char *hp = strstr(host, "://") + 3;
		size_t n = strcspn(hp, "/");
		if (!n)
			return ld_error_set(ctx, LADING_EUSAGE, "bad Docker host '%s' (tcp://HOST:PORT)", host);
		if ((rc = tls_setup(dc, https, &ho, &tls, ctx)))
			return rc;
		if (tls && host[0] == 'h' && !https)
			return ld_error_set(ctx, LADING_EUSAGE, "Docker host '%s' is plain http:// but DOCKER_TLS_VERIFY is set",
					    host);
		ld_snprintf(dc->base, sizeof(dc->base), "%s://%.*s", tls ? "https" : "http", (int)n, hp);
	} else {
		return ld_error_set(ctx, LADING_EUSAGE,
				    "Docker host '%s' is not supported (unix:///PATH, tcp://HOST:PORT, with TLS when "
				    "DOCKER_TLS_VERIFY is set, or https://HOST:PORT)",
				    host);
	}
	ho.connect_timeout_ms = 10000;
	ho.read_timeout_ms = 120000;
	return ld_http_new(&dc->http, &ho, ctx);
}

static void client_close(docker_client *dc)
{
	ld_http_free(dc->http);
	dc->http = NULL;
}

/* Percent-encode what may not stand in a path segment; '/' and ':' stay (the engine's router
 * takes image names with them). */
static int escape_name(char *out, size_t outsz, const char *name)
{
	size_t o = 0;
	for (const char *p = name; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			     strchr("-._~/:@", ch);
		if (o + 4 >= outsz)
			return LADING_EUSAGE;
		if (plain) {
			out[o++] = (char)ch;
		} else {
			ld_snprintf(out + o, outsz - o, "%%%02X", ch);
			o += 3;
		}
	}
	out[o] = '\0';
	return 0;
}

static int docker_get(docker_client *dc, const char *path, size_t max, ld_buf *body,
		      int (*write)(void *, const void *, size_t), void *opaque, lading_ctx *ctx)
{
	char url[2048];
	ld_http_request req = {0};
	ld_http_response resp;
	int rc;
	ld_snprintf(url, sizeof(url), "%s%s", dc->base, path);
	req.url = url;
	req.max_bytes = max;
	req.body = body;
	req.write = write;
	req.opaque = opaque;
	req.identity = write != NULL;
	rc = ld_http_get(dc->http, &req, &resp, ctx);
	if (rc == LADING_ENOTFOUND)
		return ld_error_set_path(ctx, rc, dc->host, 0, "%s: %s: not found (%.200s)", dc->host, path,
					 resp.error_body);
	if (rc == LADING_ENET && resp.status == 0 && !strncmp(dc->base, "http:", 5) && !dc->sock[0]) {
		/* a TLS-protected engine drops a plain HTTP request: say what to do about it */
		char msg[sizeof(ctx->err.msg)];
		ld_strlcpy(msg, ctx->err.msg, sizeof(msg));
		return ld_error_set(ctx, rc,
				    "Docker API %s: %s (a TLS-protected engine needs --tls-verify or "
				    "DOCKER_TLS_VERIFY=1, with DOCKER_CERT_PATH naming its ca.pem, cert.pem and "
				    "key.pem)",
				    dc->host, msg);
	}
	if (rc)
		return ld_error_prefix(ctx, "Docker API %s: ", dc->host);
	return 0;
}

static int get_json(docker_client *dc, const char *path, size_t max, ld_arena *a, ld_json **out, lading_ctx *ctx)
{
	ld_buf b = LD_BUF_INIT;
	ld_json_limits lim = {.max_depth = LD_SNAP_MAX_JSON_DEPTH};
	char what[700];
	int rc;
	ld_buf_init(&b, max);
	if (!(rc = docker_get(dc, path, max, &b, NULL, NULL, ctx))) {
		ld_snprintf(what, sizeof(what), "%s%s", dc->host, path);
		rc = ld_json_parse(out, a, b.ptr ? b.ptr : "", b.len, &lim, ctx, what);
	}
	ld_buf_release(&b);
	return rc;
}

/* ---- container snapshots ---- */

/* The list has no start time: each container's own document has it (one request each, over a
 * local socket ~1 ms). A container that vanished meanwhile keeps what the list said. */
static int add_started(docker_client *dc, lading_containers *s, lading_ctx *ctx)
{
	for (size_t i = 0; i < s->n; i++) {
		lading_container *c = &s->items[i];
		char path[256];
		ld_arena tmp;
		ld_json *doc;
		if (!c->id || strlen(c->id) > 128 || strspn(c->id, "0123456789abcdef") != strlen(c->id))
			continue;
		ld_snprintf(path, sizeof(path), "/containers/%s/json", c->id);
		ld_arena_init(&tmp, 0);
		if (get_json(dc, path, DOCKER_MAX_INSPECT_BYTES, &tmp, &doc, ctx) == 0)
			c->started = ld_snap_time(&s->arena, ld_json_str(ld_json_getp(doc, "State", "StartedAt", NULL)));
		else if (lading_ctx_error(ctx)->code != LADING_ENOTFOUND) {
			ld_arena_release(&tmp);
			return lading_ctx_error(ctx)->code;
		}
		ld_error_clear(ctx);
		ld_arena_release(&tmp);
	}
	return 0;
}

int ld_docker_snapshot(lading_containers **out, const char *host, const char *source_name, lading_ctx *ctx)
{
	docker_client dc;
	lading_containers *s = NULL;
	ld_arena tmp;
	ld_json *list;
	char src[700], what[700];
	int rc;

	*out = NULL;
	if ((rc = client_open(&dc, host, ctx)))
		return rc;
	ld_arena_init(&tmp, 0);
	ld_snprintf(src, sizeof(src), "docker:%s", dc.host);
	ld_snprintf(what, sizeof(what), "%s/containers/json", dc.host);
	if ((rc = get_json(&dc, "/containers/json?all=1", DOCKER_MAX_JSON_BYTES, &tmp, &list, ctx)))
		goto out;
	if (!ld_json_is(list, LD_JSON_ARRAY)) {
		rc = ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: answer is not a JSON array", what);
		goto out;
	}
	if ((rc = ld_snap_new(&s, source_name ? source_name : src, "docker-api", ctx)) ||
	    (rc = ld_snap_add_docker_list(s, list, what, ctx)) || (rc = add_started(&dc, s, ctx)))
		goto out;
	if (s->arena.err) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto out;
	}
	ld_snap_finish(s);
	*out = s;
	s = NULL;
out:
	lading_containers_free(s);
	ld_arena_release(&tmp);
	client_close(&dc);
	return rc;
}

/* ---- images ---- */

typedef struct spool {
	int fd;
	uint64_t n;
} spool;

static int spool_write(void *opaque, const void *p, size_t n)
{
	spool *sp = opaque;
	const char *c = p;
	if (sp->n + n > LD_DOCKER_SPOOL_MAX)
		return LADING_ELIMIT;
	while (n) {
		ssize_t w = write(sp->fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return LADING_EIO;
		}
		c += w;
		n -= (size_t)w;
		sp->n += (uint64_t)w;
	}
	return 0;
}

static int spool_reset(void *opaque)
{
	spool *sp = opaque;
	sp->n = 0;
	return ftruncate(sp->fd, 0) == 0 && lseek(sp->fd, 0, SEEK_SET) == 0 ? 0 : LADING_EIO;
}

/* GET /images/{id}/get into a memfd. */
static int fetch_archive(docker_client *dc, const char *id, int *fd_out, lading_ctx *ctx)
{
	char path[256];
	char url[1024];
	spool sp = {.fd = memfd_create("lading-docker-image", MFD_CLOEXEC)};
	ld_http_request req = {0};
	ld_http_response resp;
	int rc;
	*fd_out = -1;
	if (sp.fd < 0)
		return ld_error_set(ctx, LADING_EIO, "cannot create an in-memory file: %s", strerror(errno));
	ld_snprintf(path, sizeof(path), "/images/%s/get", id);
	ld_snprintf(url, sizeof(url), "%s%s", dc->base, path);
	req.url = url;
	req.max_bytes = LD_DOCKER_SPOOL_MAX;
	req.write = spool_write;
	req.reset = spool_reset;
	req.opaque = &sp;
	req.identity = true;
	rc = ld_http_get(dc->http, &req, &resp, ctx);
	if (rc == LADING_ELIMIT)
		rc = ld_error_set(ctx, LADING_ELIMIT, "%s: image %s is larger than %" PRIu64 " GiB as an archive",
				  dc->host, id, LD_DOCKER_SPOOL_MAX >> 30);
	else if (rc == LADING_EIO)
		rc = ld_error_set(ctx, LADING_EIO, "%s: cannot keep image %s in memory: %s", dc->host, id,
				  strerror(errno));
	else if (rc)
		ld_error_prefix(ctx, "Docker API %s: ", dc->host);
	if (rc) {
		close(sp.fd);
		return rc;
	}
	*fd_out = sp.fd;
	return 0;
}

/* Tags and repository digests the engine knows for the image: its references. */
static int keep_refs(lading_image *img, const ld_json *doc, lading_ctx *ctx)
{
	const ld_json *tags = ld_json_get(doc, "RepoTags"), *digs = ld_json_get(doc, "RepoDigests");
	size_t nt = ld_json_len(tags), nd = ld_json_len(digs);
	const char **t = nt ? ld_arena_array(&img->arena, nt, sizeof(char *)) : NULL;
	const char **d = nd ? ld_arena_array(&img->arena, nd, sizeof(char *)) : NULL;
	size_t kt = 0, kd = 0;
	if ((nt && !t) || (nd && !d))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < nt; i++) {
		const char *s = ld_json_str(ld_json_at(tags, i));
		if (s && strcmp(s, "<none>:<none>"))
			t[kt++] = ld_arena_strdup(&img->arena, s);
	}
	for (size_t i = 0; i < nd; i++) {
		const char *s = ld_json_str(ld_json_at(digs, i));
		if (s && strstr(s, "@sha256:"))
			d[kd++] = ld_arena_strdup(&img->arena, s);
	}
	img->info.repo_tags = t;
	img->info.repo_tag_count = kt;
	img->info.repo_digests = d;
	img->info.repo_digest_count = kd;
	return 0;
}

/* The tag the engine resolved NAME to ("alpine:3.20" -> "docker.io/library/alpine:3.20"), as a
 * docker-archive of it would name it; the name as given when no tag matches (an ID). */
static const char *ref_for(lading_image *img, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < img->info.repo_tag_count; i++) {
		const char *t = img->info.repo_tags[i];
		size_t tn = strlen(t);
		if (!strcmp(t, name) || (tn > n && t[tn - n - 1] == '/' && !strcmp(t + tn - n, name)))
			return t;
	}
	return ld_arena_strdup(&img->arena, name);
}

int ld_docker_image_open(lading_image *img, const char *name, const char *host, lading_ctx *ctx)
{
	docker_client dc;
	ld_blobstore *bs = NULL;
	ld_arena tmp;
	ld_json *doc;
	char esc[DOCKER_MAX_NAME * 3 + 1], path[DOCKER_MAX_NAME * 3 + 32], label[DOCKER_MAX_NAME + 700];
	const char *id;
	int fd = -1, rc;

	if (!*name || strlen(name) > DOCKER_MAX_NAME || escape_name(esc, sizeof(esc), name))
		return ld_error_set(ctx, LADING_EUSAGE, "'%s' is not an image name or ID", name);
	if ((rc = client_open(&dc, host, ctx)))
		return rc;
	ld_arena_init(&tmp, 0);
	ld_snprintf(path, sizeof(path), "/images/%s/json", esc);
	if ((rc = get_json(&dc, path, DOCKER_MAX_JSON_BYTES, &tmp, &doc, ctx))) {
		if (rc == LADING_ENOTFOUND)
			rc = ld_error_set(ctx, LADING_ENOTFOUND, "%s: no image '%s' in this engine", dc.host, name);
		goto out;
	}
	id = ld_json_get_str(doc, "Id");
	if (!ld_digest_valid(id)) {
		rc = ld_error_set(ctx, LADING_EINVALID, "%s%s: the image has no sha256 Id", dc.host, path);
		goto out;
	}
	/* by ID: the archive is then exactly the image that was inspected */
	if ((rc = fetch_archive(&dc, id + 7, &fd, ctx)))
		goto out;
	ld_snprintf(label, sizeof(label), "%s image %s", dc.host, name);
	if ((rc = ld_blobstore_tar_fd(&bs, fd, label, ctx)))
		goto out;
	if ((rc = ld_docker_load(img, bs, NULL, ctx))) {
		if (!img->ops)
			ld_blobstore_free(bs);
		goto out;
	}
	if (!img->info.config_digest || strcmp(img->info.config_digest, id)) {
		rc = ld_error_set(ctx, LADING_EDIGEST, "%s: image %s has ID %s but the engine sent config %s", dc.host,
				  name, id, img->info.config_digest ? img->info.config_digest : "(none)");
		goto out;
	}
	if ((rc = keep_refs(img, doc, ctx)))
		goto out;
	img->info.ref = ref_for(img, name);
	img->info.source_path = ld_arena_strdup(&img->arena, dc.host);
out:
	if (fd >= 0)
		close(fd);
	ld_arena_release(&tmp);
	client_close(&dc);
	return rc;
}
