/* docker cp uploads (PUT /containers/{id}/archive?path=...) of any size, read as they stream
 * in rather than as one request: the body (Content-Length or chunked) goes through the
 * streaming tar lister (tarlist.c) and a hash of the whole upload, and nothing of it is kept
 * but each file's name, size, sha256 and first bytes. When the body ends, one
 * docker.container.archive.put event lists the files, and the client gets dockerd's answer.
 * Bounds: UPLOAD_MAX bytes per upload (then 413 and the connection is closed), FILES_LISTED
 * files in the event (the rest counted), the loop's per-source byte rate and timeouts. */
#include "util/common.h"
#include "util/hash.h"
#include "honeypot/hp.h"

#define UPLOAD_MAX   ((uint64_t)1 << 30) /* bytes of one upload */
#define FILES_LISTED 64			 /* files named in the event */
#define FILES_JSON   (16 * 1024)	 /* ... and the bytes of their list (1024 uploads: 16 MiB) */

typedef struct upload {
	ld_hp_tar_stream tar;
	ld_sha256 whole;
	bool chunked, keep_alive, tar_error;
	ld_http_dechunk dc;
	uint64_t left;	/* Content-Length left */
	uint64_t bytes; /* of the body */
	char container[72], target[1024], path[256], ua[256];
	ld_buf files; /* JSON array members, comma-joined */
	unsigned listed, unlisted;
} upload;

static void on_file(void *arg, const ld_hp_tar_file *f)
{
	upload *u = arg;
	ld_buf one;
	ld_jw w;
	if (u->listed >= FILES_LISTED) {
		u->unlisted++;
		return;
	}
	ld_buf_init(&one, 4 * (LD_TAR_MAX_NAME + LD_TAR_HEAD_KEPT) + 256);
	ld_jw_init(&w, &one, false);
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "name", f->name);
	ld_jw_ki64(&w, "size", (int64_t)f->size);
	if (f->got < f->size)
		ld_jw_ki64(&w, "received", (int64_t)f->got);
	if (f->type == '0' || f->type == '7') {
		ld_jw_kstr(&w, "sha256", f->sha256);
		ld_jw_key(&w, "head"); /* a script's first bytes say what it is */
		ld_jw_strn(&w, f->head, f->headlen);
	} else {
		char t[2] = {f->type, 0};
		ld_jw_kstr(&w, "type", t);
	}
	ld_jw_obj_end(&w);
	if (!ld_buf_error(&one) && u->files.len + one.len + 1 <= FILES_JSON) {
		if (u->listed)
			ld_buf_addc(&u->files, ',');
		ld_buf_add(&u->files, one.ptr, one.len);
		u->listed++;
	} else {
		u->unlisted++;
	}
	ld_buf_release(&one);
}

static void body(void *arg, const char *p, size_t n)
{
	upload *u = arg;
	u->bytes += n;
	ld_sha256_update(&u->whole, p, n);
	if (!u->tar_error && ld_hp_tar_stream_feed(&u->tar, p, n) == LADING_EINVALID)
		u->tar_error = true;
}

/* The event and the answer, once the body has ended (or was refused: status 413). */
static void finish(ld_hp_conn *c, upload *u, int status)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	const ld_hp_obj *o = ld_hp_docker_container(c, ld_slice_cstr(u->container));
	char digest[LD_DIGEST_STR_LEN];
	ld_http_req r;
	ld_hp_tar_stream_end(&u->tar);
	ld_sha256_final(&u->whole, digest);
	ld_hp_event_begin(c, "docker.container.archive.put");
	ld_hp_kstr(c, "method", "PUT", 3);
	ld_hp_kstr(c, "path", u->path, strlen(u->path));
	if (u->ua[0])
		ld_hp_kstr(c, "user_agent", u->ua, strlen(u->ua));
	ld_hp_kstr(c, "container", u->container, strlen(u->container));
	ld_hp_kstr(c, "target", u->target, strlen(u->target));
	ld_buf_addc(&u->files, ']');
	ld_jw_key(&sh->jw, "files");
	ld_jw_raw(&sh->jw, u->files.ptr, u->files.len);
	if (u->unlisted)
		ld_jw_ki64(&sh->jw, "files_unlisted", u->unlisted);
	if (u->tar_error)
		ld_jw_kbool(&sh->jw, "tar_error", true);
	if (status == 413)
		ld_jw_kbool(&sh->jw, "truncated", true);
	ld_hp_event_payload_digest(c, digest, u->bytes);
	ld_hp_event_end(c);
	memset(&r, 0, sizeof(r));
	r.method = LD_SLICE_LIT("PUT");
	r.keep_alive = u->keep_alive && status != 413;
	if (status == 413)
		ld_hp_http_reply(c, &r, 413, "application/json", LD_HP_DOCKER_HEADERS,
				 "{\"message\":\"request body too large\"}", 36);
	else if (!o)
		ld_hp_http_reply(c, &r, 404, "application/json", LD_HP_DOCKER_HEADERS,
				 "{\"message\":\"No such container\"}", 31);
	else
		ld_hp_http_reply(c, &r, 200, NULL, LD_HP_DOCKER_HEADERS, "", 0);
	ld_hp_docker_upload_free(c);
}

size_t ld_hp_docker_upload_data(ld_hp_conn *c, const char *p, size_t n)
{
	upload *u = c->st.docker.upload;
	size_t used = 0;
	if (!u->chunked) {
		used = (size_t)LD_MIN((uint64_t)n, u->left);
		body(u, p, used);
		u->left -= used;
	} else if (ld_http_dechunk_feed(&u->dc, p, n, &used, body, u) < 0) {
		u->tar_error = true;
		c->close_after_write = true;
		finish(c, u, 413);
		return n;
	}
	if (u->bytes > UPLOAD_MAX) {
		c->close_after_write = true;
		finish(c, u, 413);
		return n;
	}
	if (u->chunked ? ld_http_dechunk_done(&u->dc) : !u->left)
		finish(c, u, 200);
	return used;
}

/* PUT [/vN]/containers/{id}/archive: the request's fields kept for the event. */
static bool is_upload(const ld_http_req *r, ld_slice *id)
{
	ld_slice seg[4];
	size_t n = ld_hp_http_segments(ld_hp_http_strip_version(r->path), seg, LD_ARRAY_LEN(seg));
	if (n != 3 || !ld_slice_eq_cstr(seg[0], "containers") ||
	    !ld_slice_eq_cstr(seg[2], "archive"))
		return false;
	*id = seg[1];
	return true;
}

bool ld_hp_docker_upload_start(ld_hp_conn *c, const char *p, size_t n, size_t *used)
{
	ld_http_req *r = &ld_hp_shared(c->hp)->req;
	ld_slice id;
	upload *u;
	*used = 0;
	if (ld_http_parse_head(r, p, n, used) != LD_HP_DONE || !is_upload(r, &id)) {
		*used = 0;
		return false; /* incomplete heads and errors: the HTTP path waits or answers */
	}
	if (!(u = calloc(1, sizeof(*u))) || ld_sha256_init(&u->whole) != 0) {
		free(u);
		*used = 0;
		return false;
	}
	c->steps++;
	ld_hp_tar_stream_init(&u->tar, on_file, u);
	ld_buf_init(&u->files, FILES_JSON + 2);
	ld_buf_addc(&u->files, '[');
	u->chunked = r->chunked;
	u->left = r->chunked ? 0 : r->content_length;
	u->keep_alive = r->keep_alive;
	ld_slice_copy(u->container, sizeof(u->container), id);
	ld_slice_copy(u->path, sizeof(u->path), r->path);
	ld_slice_copy(u->ua, sizeof(u->ua), ld_http_header_get(r, "user-agent"));
	ld_http_query_get(r->query, "path", u->target, sizeof(u->target));
	c->st.docker.upload = u;
	if (!u->chunked && !u->left)
		finish(c, u, 200);
	return true;
}

void ld_hp_docker_upload_free(ld_hp_conn *c)
{
	upload *u = c->st.docker.upload;
	if (!u)
		return;
	ld_hp_tar_stream_end(&u->tar);
	ld_sha256_release(&u->whole);
	ld_buf_release(&u->files);
	free(u);
	c->st.docker.upload = NULL;
}
