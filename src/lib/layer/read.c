/* Streaming layer reader: blob -> (digest check) -> decompression by magic -> tar entries.
 * Records every entry's metadata, captures the content of wanted files only, and turns
 * whiteout entries into markers. Layers are independent, so they are read in parallel; the
 * merge (view.c) applies them in order afterwards. */
#include <stdatomic.h>

#include "util/common.h"
#include "layer/cache.h"
#include "layer/layer.h"
#include "util/tar.h"
#include "util/varint.h"

#define PROGRESS_STEP ((uint64_t)1 << 20)

/* ---- tar streams as entry walks ---- */

/* Layers are read by our tar reader (util/tar.c); bzip2 and xz ones, which libarchive
 * decompresses itself, by libarchive. */
typedef struct tar_entries {
	ld_entries base;
	ld_ar *ar;
	ld_tar *tar;
	ld_stream *raw; /* not owned: the stream as stored, for progress (pos) */
	ld_stream *stored; /* not owned: the stored bytes through their digest check, before decoding */
} tar_entries;

static int tar_next(ld_entries *w, ld_ar_entry *e)
{
	tar_entries *t = (tar_entries *)w;
	return t->tar ? ld_tar_next(t->tar, e) : ld_ar_next(t->ar, e);
}

static ssize_t tar_read(ld_entries *w, void *buf, size_t n)
{
	tar_entries *t = (tar_entries *)w;
	return t->tar ? ld_tar_read(t->tar, buf, n) : ld_ar_read(t->ar, buf, n);
}

static void tar_close(ld_entries *w)
{
	tar_entries *t = (tar_entries *)w;
	ld_tar_close(t->tar);
	ld_ar_close(t->ar);
	free(w);
}

static uint64_t tar_consumed(ld_entries *w)
{
	tar_entries *t = (tar_entries *)w;
	return t->raw ? t->raw->pos : t->tar ? ld_tar_consumed(t->tar) : ld_ar_consumed(t->ar);
}

static int tar_drain(ld_entries *w)
{
	tar_entries *t = (tar_entries *)w;
	return t->tar ? ld_tar_drain(t->tar) : ld_ar_drain(t->ar);
}

/* Layers this big read their blob (and hash it) in a thread of their own, ahead of the
 * decompressor: the largest layer is the critical path of the whole read. */
#define READAHEAD_MIN ((int64_t)8 << 20)

typedef struct blob_open {
	lading_image *img;
	size_t i;
	ld_layer *l;
	ld_stream *raw; /* for progress */
} blob_open;

static int open_blob(void *opaque, ld_stream **out, lading_ctx *ctx)
{
	blob_open *b = opaque;
	ld_stream *s;
	int rc;
	if ((rc = b->img->ops->open_layer(b->img, b->i, &s, ctx)))
		return rc;
	b->raw = s;
	if (!b->img->lsrc[b->i].blob_digest[0] && !b->img->lsrc[b->i].verify_diff_id) {
		/* nothing to check against (rootfs-tar): compute the digest to report it, and hold a
		 * second read (ld_layer_fetch) to the digest the first one computed */
		if (b->l->blob_digest[0]) {
			char label[LD_DIGEST_STR_LEN + 48];
			ld_snprintf(label, sizeof(label), "layer %zu (read again)", b->i + 1);
			if ((rc = ld_stream_verify(&s, s, b->l->blob_digest, -1, label)))
				return rc;
		} else if ((rc = ld_stream_hash(&s, s, b->l->blob_digest))) {
			return rc;
		}
	}
	*out = s;
	return 0;
}

static int open_layer_entries(lading_image *img, size_t i, ld_layer *l, ld_entries **out, lading_ctx *ctx)
{
	ld_stream *raw, *stored, *s;
	tar_entries *t;
	char label[160];
	blob_open bo = {img, i, l, NULL};
	int rc;

	*out = NULL;
	if (img->ops->open_entries)
		return img->ops->open_entries(img, i, out, ctx);
	if (img->layers[i].size >= READAHEAD_MIN)
		rc = ld_stream_readahead(&s, ctx, open_blob, &bo);
	else
		rc = open_blob(&bo, &s, ctx);
	if (rc)
		return rc;
	/* progress counts stored bytes: the read-ahead stream's own position when there is one
	 * (the raw stream is the reader thread's) */
	raw = img->layers[i].size >= READAHEAD_MIN ? s : bo.raw;
	stored = s;
	ld_snprintf(label, sizeof(label), "layer %zu (%s)", i + 1,
		    img->layers[i].digest ? img->layers[i].digest : img->info.source_path);
	if ((rc = ld_stream_decompress(&s, s, NULL, label, &l->comp)))
		return rc;
	if (img->lsrc[i].verify_diff_id) {
		char vlabel[160];
		ld_snprintf(vlabel, sizeof(vlabel), "layer %zu %s", i + 1, img->lsrc[i].diff_id);
		if ((rc = ld_stream_verify(&s, s, img->lsrc[i].diff_id, -1, vlabel)))
			return rc;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		ld_stream_close(s);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	if (l->comp == LD_COMP_BZIP2 || l->comp == LD_COMP_XZ)
		rc = ld_ar_open(&t->ar, s, LD_AR_FMT_TAR, ctx, label);
	else
		rc = ld_tar_open(&t->tar, s, ctx, label);
	if (rc) {
		free(t);
		return rc;
	}
	t->raw = raw;
	t->stored = stored;
	t->base.next = tar_next;
	t->base.read = tar_read;
	t->base.close = tar_close;
	t->base.consumed = tar_consumed;
	*out = &t->base;
	return 0;
}

/* ---- shared state of a parallel read ---- */

typedef struct read_job {
	lading_image *img;
	const ld_wants *wants;
	ld_layer *layers;
	size_t n;
	size_t *order;           /* layer indices, biggest first */
	atomic_size_t next;
	atomic_bool stop;
	lading_ctx *workers;     /* one child context per layer, for errors */
	int *rcs;
	pthread_mutex_t mu;      /* progress */
	uint64_t done, total;
	lading_ctx *ctx;
} read_job;

static void progress_add(read_job *job, size_t layer, uint64_t delta)
{
	if (!job || !delta)
		return;
	pthread_mutex_lock(&job->mu);
	job->done += delta;
	ld_progress(job->ctx, "reading layers", layer, job->n, job->done, job->total);
	pthread_mutex_unlock(&job->mu);
}

/* A failed put into one of the layer's tables: the budget's message when it refused. */
static int map_fail(const ld_map *m, const ld_layer *l, lading_ctx *ctx)
{
	if (m->over_budget)
		return ld_budget_error(ctx, m->cap * sizeof(ld_map_slot), "indexing the entries of layer %zu",
				       l->index + 1);
	return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
}

/* Capture one entry's content (size already checked against the cap). */
static int capture(ld_entries *w, ld_layer *l, ld_lfile *f, uint64_t size, lading_ctx *ctx)
{
	unsigned char *buf;
	size_t got = 0;
	if (size > SIZE_MAX - 1)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: too large", f->path);
	if (size >= LD_CAPTURE_DROP_MIN) {
		/* a block of its own, so that ld_layer_drop_big can give it back */
		if (!ld_budget_charge(l->plain.budget, (size_t)size + 1))
			return ld_budget_error(ctx, size, "capturing /%s in layer %zu", f->path, l->index + 1);
		if (!(buf = ld_mem_sparse_alloc((size_t)size + 1))) {
			ld_budget_release(l->plain.budget, (size_t)size + 1);
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory capturing %s", f->path);
		}
		f->big = true;
		f->big_size = (size_t)size + 1;
	} else {
		buf = ld_arena_alloc(&l->arena, (size_t)size + 1);
		if (!buf && l->arena.over_budget)
			return ld_budget_error(ctx, size, "capturing /%s in layer %zu", f->path, l->index + 1);
		if (!buf)
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory capturing %s", f->path);
	}
	while (got < size) {
		ssize_t r = w->read(w, buf + got, (size_t)size - got);
		if (r < 0)
			return (int)r;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	f->data = buf;
	f->data_len = got;
	f->captured = true;
	f->dropped = false;
	l->captured_bytes += got;
	return 0;
}

#define ANALYZE_KEEP_BUF ((size_t)8 << 20) /* scratch kept between files, above: freed */
#define ANALYZE_MAX_RANGES (LD_MAX_ANALYZERS * LD_ANALYZE_MAX_RANGES)

/* Read up to `want` more bytes of the entry into buf (which grows); 0 or a negative error. */
static int read_more(ld_entries *w, ld_buf *buf, size_t want, bool *eof)
{
	while (want) {
		ssize_t r;
		if (ld_buf_grow(buf, want))
			return LADING_ENOMEM;
		r = w->read(w, buf->ptr + buf->len, want);
		if (r < 0)
			return (int)r;
		if (r == 0) {
			*eof = true;
			return 0;
		}
		buf->len += (size_t)r;
		want -= (size_t)r;
	}
	return 0;
}

static int range_cmp(const void *x, const void *y)
{
	const ld_range *a = x, *b = y;
	return a->off < b->off ? -1 : a->off > b->off;
}

/* Give each analyzer of `mask` the file (data, len) and keep their results on f. */
static int run_analyzers(ld_layer *l, ld_lfile *f, const ld_wants *wants, uint32_t mask,
			 const unsigned char *data, size_t len, lading_ctx *ctx)
{
	l->analyzed_files++;
	for (size_t i = 0; i < ld_wants_analyzer_count(wants); i++) {
		const ld_analyzer *an = ld_wants_analyzer(wants, i);
		ld_slice res = LD_SLICE_NULL;
		ld_lresult *lr;
		if (!(mask & (1u << i)))
			continue;
		if (an->fn(data, len, f->path, &l->arena, &res) != 0 || !res.ptr)
			continue; /* nothing recognized */
		lr = ld_arena_alloc(&l->arena, sizeof(*lr));
		if (!lr)
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		lr->analyzer = (int)i;
		lr->data = res;
		lr->next = f->results;
		f->results = lr;
	}
	return 0;
}

/* The sparse read: `head` (buf) is already in; keep the bytes of `ranges` at their offsets in
 * an address space of the file's size, pass over the rest, then run the analyzers. */
static int analyze_sparse(ld_entries *w, ld_layer *l, ld_lfile *f, const ld_wants *wants,
			  uint32_t mask, ld_range *ranges, size_t nr, ld_buf *buf, lading_ctx *ctx)
{
	size_t size = (size_t)f->size, pos = buf->len, ri = 0, kept = buf->len, charge = buf->len;
	unsigned char *m;
	int rc = 0;

	/* only the pages written take memory: the head and the planned ranges */
	for (size_t i = 0; i < nr; i++)
		charge += ranges[i].len < size ? (size_t)ranges[i].len : size;
	if (!ld_budget_charge(l->plain.budget, charge))
		return ld_budget_error(ctx, charge, "analyzing /%s in layer %zu", f->path, l->index + 1);
	if (!(m = ld_mem_sparse_alloc(size))) {
		ld_budget_release(l->plain.budget, charge);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory analyzing %s", f->path);
	}
	memcpy(m, buf->ptr, buf->len);
	qsort(ranges, nr, sizeof(*ranges), range_cmp);
	while (pos < size) {
		size_t until, want;
		bool keep;
		ssize_t r;
		unsigned char *dst;
		/* ranges are sorted by start: skip those that ended; pos is kept when a range that
		 * starts at or before it ends after it (up to the furthest such end), else bytes
		 * pass until the next range starts */
		while (ri < nr && ranges[ri].off + ranges[ri].len <= pos)
			ri++;
		until = pos;
		for (size_t j = ri; j < nr && ranges[j].off <= pos; j++)
			if (ranges[j].off + ranges[j].len > until)
				until = (size_t)(ranges[j].off + ranges[j].len);
		keep = until > pos;
		if (!keep) {
			until = size;
			for (size_t j = ri; j < nr; j++)
				if (ranges[j].off > pos) {
					until = (size_t)ranges[j].off;
					break;
				}
		}
		want = until - pos;
		if (keep) {
			dst = m + pos;
		} else {
			/* skipped bytes pass through the scratch buffer (it holds at least the head) */
			if (want > buf->cap - 1)
				want = buf->cap - 1;
			dst = (unsigned char *)buf->ptr;
		}
		r = w->read(w, dst, want);
		if (r < 0) {
			rc = (int)r;
			goto out;
		}
		if (r == 0)
			break; /* shorter than declared: the rest reads as zeros */
		pos += (size_t)r;
		if (keep)
			kept += (size_t)r;
	}
	l->analyzed_bytes += kept;
	rc = run_analyzers(l, f, wants, mask, m, pos, ctx);
out:
	ld_mem_sparse_free(m, size);
	ld_budget_release(l->plain.budget, charge);
	return rc;
}

#define SWEEP_CHUNK ((size_t)256 << 10)

/* Give back what the sweep released of the bytes in (below pos); returns the bytes given back. */
static size_t sweep_release(unsigned char *m, size_t pos, const ld_sweep *sw)
{
	size_t back = 0;
	for (size_t i = 0; i < sw->nrelease && i < LD_SWEEP_MAX_RELEASE; i++) {
		uint64_t a = sw->release[i].off, b;
		if (!sw->release[i].len || a >= pos)
			continue;
		b = sw->release[i].len > pos - a ? pos : a + sw->release[i].len;
		back += ld_mem_sparse_drop(m, (size_t)a, (size_t)(b - a));
	}
	return back;
}

/* The swept read (ld_sweep_fn): the head (buf) is in; the rest streams into an address space of
 * the file's size, chunk by chunk, keeping what the sweep does not let go; then the analyzer. */
static int analyze_swept(ld_entries *w, ld_layer *l, ld_lfile *f, const ld_analyzer *an, uint32_t mask,
			 const ld_wants *wants, ld_buf *buf, lading_ctx *ctx)
{
	size_t size = (size_t)f->size, pos = buf->len, charged = 0, kept = buf->len;
	ld_sweep sw;
	unsigned char *m;
	int rc = 0;

	if (!ld_budget_charge(l->plain.budget, buf->len))
		return ld_budget_error(ctx, buf->len, "analyzing /%s in layer %zu", f->path, l->index + 1);
	charged = buf->len;
	if (!(m = ld_mem_sparse_alloc(size))) {
		ld_budget_release(l->plain.budget, charged);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory analyzing %s", f->path);
	}
	memcpy(m, buf->ptr, buf->len);
	memset(&sw, 0, sizeof(sw));
	an->sweep(&sw, m, pos, size);
	while (pos < size) {
		bool keep = sw.whole || sw.skip_to <= pos;
		size_t want = keep ? LD_MIN(SWEEP_CHUNK, size - pos)
				   : (size_t)LD_MIN(sw.skip_to, (uint64_t)size) - pos;
		unsigned char *dst = keep ? m + pos : (unsigned char *)buf->ptr;
		ssize_t r;
		if (!keep && want > buf->cap - 1)
			want = buf->cap - 1; /* skipped bytes pass through the scratch buffer */
		if (keep && !ld_budget_charge(l->plain.budget, want)) {
			rc = ld_budget_error(ctx, kept + want, "analyzing /%s in layer %zu", f->path, l->index + 1);
			goto out;
		}
		charged += keep ? want : 0;
		if ((r = w->read(w, dst, want)) < 0) {
			rc = (int)r;
			goto out;
		}
		if (r == 0)
			break; /* shorter than declared: the rest reads as zeros */
		pos += (size_t)r;
		if (!keep)
			continue;
		kept += (size_t)r;
		if (!sw.whole) {
			size_t back;
			sw.skip_to = 0;
			sw.nrelease = 0;
			an->sweep(&sw, m, pos, size);
			back = LD_MIN(sweep_release(m, pos, &sw), charged);
			ld_budget_release(l->plain.budget, back);
			charged -= back;
			kept -= LD_MIN(back, kept);
		}
	}
	l->analyzed_bytes += kept;
	rc = run_analyzers(l, f, wants, mask, m, pos, ctx);
out:
	ld_mem_sparse_free(m, size);
	ld_budget_release(l->plain.budget, charged);
	return rc;
}

/* The one analyzer of mask when it has a sweep, else NULL. */
static const ld_analyzer *sweeper(const ld_wants *wants, uint32_t mask)
{
	const ld_analyzer *an;
	if (!mask || (mask & (mask - 1)))
		return NULL;
	an = ld_wants_analyzer(wants, (size_t)__builtin_ctz(mask));
	return an->sweep ? an : NULL;
}

/* The ranges every analyzer of mask plans from the head in buf (clipped to the file): false
 * when one of them needs the whole file. */
static bool plan_ranges(const ld_wants *wants, uint32_t mask, const ld_buf *buf, uint64_t size,
			ld_range *ranges, size_t *nr)
{
	for (size_t i = 0; i < ld_wants_analyzer_count(wants); i++) {
		const ld_analyzer *an = ld_wants_analyzer(wants, i);
		int k;
		if (!(mask & (1u << i)))
			continue;
		k = an->plan ? an->plan((const unsigned char *)buf->ptr, buf->len, size, ranges + *nr,
					LD_ANALYZE_MAX_RANGES)
			     : -1;
		if (k < 0 || k > LD_ANALYZE_MAX_RANGES)
			return false;
		/* clip what the plan asked for to the file: offsets come from its bytes */
		for (size_t j = 0, base = *nr; j < (size_t)k; j++) {
			ld_range r = ranges[base + j]; /* *nr <= base + j: compacting in place */
			if (r.off >= size || !r.len)
				continue;
			if (r.len > size - r.off)
				r.len = size - r.off;
			ranges[(*nr)++] = r;
		}
	}
	return true;
}

/* Run the analyzers that apply to a regular file: check their magic on the first bytes, then
 * read the file into `buf` (reused) and keep only their results: whole, or for large files
 * only the ranges the analyzers ask for (ld_plan_fn) or what a sweep keeps (ld_sweep_fn). */
static int analyze(ld_entries *w, ld_layer *l, ld_lfile *f, const ld_wants *wants, lading_ctx *ctx, ld_buf *buf)
{
	uint32_t mask = ld_wants_analyzers_for(wants, ld_slice_make(f->path, f->path_len), f->mode);
	size_t maxsz = 0;
	bool eof = false;
	int rc;

	if (!mask || f->size == 0)
		return 0;
	ld_buf_clear(buf);
	buf->max = LD_ANALYZE_HEAD;
	if ((rc = read_more(w, buf, (size_t)(f->size < 64 ? f->size : 64), &eof)))
		goto fail;
	for (size_t i = 0; i < ld_wants_analyzer_count(wants); i++) {
		const ld_analyzer *an = ld_wants_analyzer(wants, i);
		if (!(mask & (1u << i)))
			continue;
		if (an->magic && (buf->len < an->magic_len || memcmp(buf->ptr, an->magic, an->magic_len))) {
			mask &= ~(1u << i);
			continue;
		}
		if (f->size > an->max_size) {
			mask &= ~(1u << i);
			l->analyze_skipped++;
			continue;
		}
		if (an->max_size > maxsz)
			maxsz = an->max_size;
	}
	if (!mask)
		return 0;

	if (f->size > ld_wants_sparse_min(wants) && !eof) {
		ld_range ranges[ANALYZE_MAX_RANGES];
		size_t nr = 0;
		if ((rc = read_more(w, buf, (size_t)(f->size < LD_ANALYZE_HEAD ? f->size : LD_ANALYZE_HEAD) - buf->len,
				    &eof)))
			goto fail;
		if (!eof && sweeper(wants, mask))
			return analyze_swept(w, l, f, sweeper(wants, mask), mask, wants, buf, ctx);
		if (!eof && plan_ranges(wants, mask, buf, f->size, ranges, &nr))
			return analyze_sparse(w, l, f, wants, mask, ranges, nr, buf, ctx);
	}

	buf->max = maxsz + 1;
	/* The declared size is a hint, not a promise: reserve it once (capped) so a large binary is
	 * one allocation instead of a chain of doubling reallocs that each copy it. */
	if (f->size < maxsz && f->size > buf->len && ld_buf_grow(buf, (size_t)f->size - buf->len))
		goto fail;
	while (!eof) {
		ssize_t r;
		/* room for one more byte: grows (doubling) only when full, so the reserve above
		 * usually holds the whole file */
		if (ld_buf_grow(buf, 1)) {
			if (ld_buf_over_budget(buf))
				goto fail;
			l->analyze_skipped++;
			return 0; /* longer than declared and than the cap: not analyzable */
		}
		r = w->read(w, buf->ptr + buf->len, buf->cap - buf->len - 1);
		if (r < 0)
			return (int)r;
		if (r == 0)
			break;
		buf->len += (size_t)r;
	}
	l->analyzed_bytes += buf->len;
	rc = run_analyzers(l, f, wants, mask, (const unsigned char *)buf->ptr, buf->len, ctx);
	if (buf->cap > ANALYZE_KEEP_BUF)
		ld_buf_release(buf); /* one huge binary must not pin its size for the rest of the layer */
	return rc;
fail:
	if (ld_buf_over_budget(buf))
		return ld_budget_error(ctx, f->size, "analyzing /%s in layer %zu", f->path, l->index + 1);
	if (rc == LADING_ENOMEM || !rc)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory analyzing %s", f->path);
	return rc;
}

/* Turn a raw entry into (type, canonical path in out[LD_PATH_MAX]); returns false to skip it. */
static bool classify(const ld_ar_entry *e, char *out, ld_lf_type *type, size_t *plen, lading_ctx *ctx,
		     size_t layer)
{
	size_t n;
	int pc = ld_path_canon(ld_slice_cstr(e->path), out, &n);
	ld_slice base, dir;

	if (pc == LD_PATH_DOTDOT) {
		ld_warn(ctx, "layer %zu: entry '%s' has a '..' component: skipped", layer + 1, e->path);
		return false;
	}
	if (pc != LD_PATH_OK) {
		ld_warn(ctx, "layer %zu: entry with an unusable path skipped (%s)", layer + 1,
			pc == LD_PATH_TOOLONG ? "too long" : "NUL byte");
		return false;
	}
	if (n == 0)
		return false; /* the root directory itself */
	base = ld_path_base(ld_slice_make(out, n));
	dir = ld_path_dir(ld_slice_make(out, n));
	switch (e->type) {
	case LD_AR_REG: *type = LD_LF_REG; break;
	case LD_AR_DIR: *type = LD_LF_DIR; break;
	case LD_AR_SYMLINK: *type = LD_LF_SYMLINK; break;
	case LD_AR_HARDLINK: *type = LD_LF_HARDLINK; break;
	default: *type = LD_LF_OTHER; break;
	}
	*plen = n;
	if (ld_slice_starts_with(base, ".wh.")) {
		ld_slice name = ld_slice_sub(base, 4, base.len);
		if (ld_slice_eq_cstr(base, ".wh..wh..opq")) {
			*type = LD_LF_OPAQUE;
			*plen = dir.len;
			return true;
		}
		if (ld_slice_starts_with(base, ".wh..wh."))
			return false; /* aufs bookkeeping (.wh..wh.plnk ...), not a whiteout */
		if (!name.len || ld_slice_eq_cstr(name, ".") || ld_slice_eq_cstr(name, "..")) {
			ld_warn(ctx, "layer %zu: whiteout '%s' names no file: skipped", layer + 1, e->path);
			return false;
		}
		*type = LD_LF_WHITEOUT;
		/* "dir/.wh.name" -> "dir/name": drop the 4-byte marker in place */
		memmove((char *)base.ptr, name.ptr, name.len);
		*plen = n - 4;
	}
	out[*plen] = '\0';
	return true;
}

bool ld_layer_has_plain(const ld_layer *l, uint64_t hash)
{
	size_t lo = 0, hi = l->plain.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->plain.hash[mid] < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->plain.len && l->plain.hash[lo] == hash;
}

size_t ld_layer_entry_count(const ld_layer *l)
{
	return l->files.len + l->plain.len;
}

const ld_lfile *ld_layer_captured(const ld_layer *l, const char *path)
{
	const ld_lfile *last = NULL;
	for (size_t i = 0; i < l->files.len; i++) {
		const ld_lfile *f = ld_layer_file(l, i);
		if (f->type == LD_LF_REG && f->captured && !strcmp(f->path, path))
			last = f;
	}
	for (size_t i = 0; !last && i < l->extra.len; i++) {
		const ld_lfile *f = *(ld_lfile *const *)ld_vec_at(&l->extra, i);
		if (f->captured && !strcmp(f->path, path))
			last = f;
	}
	return last;
}

int ld_layer_add_plain(ld_layer *l, ld_slice path, char *prev, size_t *prevlen)
{
	ld_plain *p = &l->plain;
	if (p->len == p->cap) {
		/* large arrays grow by 1/8 (realloc moves them with mremap, no copy): less slack */
		size_t ncap = !p->cap ? 1024 : p->cap < ((size_t)1 << 20) ? p->cap + p->cap / 2 : p->cap + p->cap / 8;
		uint64_t *nh;
		if (!ld_budget_charge(p->budget, (ncap - p->cap) * sizeof(*nh)))
			return LADING_ELIMIT;
		if (!(nh = realloc(p->hash, ncap * sizeof(*nh)))) {
			ld_budget_release(p->budget, (ncap - p->cap) * sizeof(*nh));
			return LADING_ENOMEM;
		}
		p->hash = nh;
		p->cap = ncap;
	}
	p->hash[p->len++] = ld_hash64_keyed(path.ptr, path.len);
	if (p->keep_paths) {
		unsigned char v[2 * LD_UVARINT_MAX];
		size_t common = 0, k;
		while (common < *prevlen && common < path.len && prev[common] == path.ptr[common])
			common++;
		k = ld_uvarint_put(v, common);
		k += ld_uvarint_put(v + k, path.len - common);
		ld_buf_add(&p->fc, v, k);
		ld_buf_add(&p->fc, path.ptr + common, path.len - common);
		if (ld_buf_error(&p->fc))
			return ld_buf_error(&p->fc);
		memcpy(prev + common, path.ptr + common, path.len - common);
		*prevlen = path.len;
		p->fc_count++;
		p->fc_view = ld_buf_slice(&p->fc);
	}
	return 0;
}

/* In-place quicksort of keyed hashes: they are uniformly distributed whatever the image holds,
 * so the middle element is a good pivot; recursing into the smaller side bounds the depth.
 * (qsort would take a second array of the same size, 8 bytes per plain file.) */
static void sort_u64(uint64_t *a, size_t n)
{
	while (n > 16) {
		uint64_t pivot = a[n / 2], t;
		size_t i = 0, j = n - 1;
		for (;;) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			t = a[i];
			a[i++] = a[j];
			a[j--] = t;
		}
		/* [0, j] <= pivot <= [j + 1, n) */
		if (j + 1 < n - j - 1) {
			sort_u64(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			sort_u64(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		uint64_t x = a[i];
		size_t k = i;
		while (k > 0 && a[k - 1] > x) {
			a[k] = a[k - 1];
			k--;
		}
		a[k] = x;
	}
}

void ld_layer_plain_sort(ld_layer *l)
{
	sort_u64(l->plain.hash, l->plain.len);
}

/* Keep a whole record of an entry: copy its path into the layer's arena. */
static ld_lfile *keep(ld_layer *l, const ld_lfile *tmpl, lading_ctx *ctx)
{
	ld_lfile *f;
	char *p;
	if (!ld_budget_charge(l->plain.budget, sizeof(*f))) {
		ld_budget_error(ctx, sizeof(*f), "recording the entries of layer %zu (%zu so far)", l->index + 1,
				ld_layer_entry_count(l));
		return NULL;
	}
	f = ld_vec_push(&l->files);
	if (!f || !(p = ld_arena_strndup(&l->arena, tmpl->path, tmpl->path_len))) {
		if (f)
			l->files.len--;
		ld_budget_release(l->plain.budget, sizeof(*f));
		if (l->arena.over_budget)
			ld_budget_error(ctx, tmpl->path_len, "recording the entries of layer %zu (%zu so far)",
					l->index + 1, ld_layer_entry_count(l));
		else
			ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		return NULL;
	}
	*f = *tmpl;
	f->path = p;
	l->plain.kept++;
	return f;
}

/* Plain files need their parent directory in the view even when the archive does not list it:
 * record it (once) as an implicit directory, as the merge of a whole entry would create it. */
static int note_parent(ld_layer *l, ld_map *dirs, ld_slice path, lading_ctx *ctx)
{
	ld_slice dir = ld_path_dir(path);
	ld_lfile t, *f;
	if (!dir.len)
		return 0;
	/* files come directory by directory: most have the previous file's parent */
	if (l->plain.last_dir) {
		f = ld_layer_file(l, l->plain.last_dir - 1);
		if (f->path_len == dir.len && !memcmp(f->path, dir.ptr, dir.len))
			return 0;
	}
	if ((l->plain.last_dir = (uintptr_t)ld_map_get(dirs, dir)))
		return 0; /* index + 1 of the directory's record */
	memset(&t, 0, sizeof(t));
	t.path = dir.ptr;
	t.path_len = (uint32_t)dir.len;
	t.type = LD_LF_DIR;
	t.implicit = true;
	if (!(f = keep(l, &t, ctx)))
		return ctx->err.code;
	if (ld_map_put(dirs, ld_slice_make(f->path, f->path_len), (void *)(uintptr_t)l->files.len, NULL))
		return map_fail(dirs, l, ctx);
	l->plain.last_dir = l->files.len;
	return 0;
}

/* One entry of the layer walk: keep it whole, or as a plain file's hash. */
static int record_entry(ld_entries *w, ld_layer *l, const ld_wants *wants, ld_ar_entry *e, ld_lf_type type,
			char *path, size_t plen, ld_map *captured, ld_map *dirs, ld_buf *scratch, char *prev,
			size_t *prevlen, size_t *pending_links, lading_ctx *ctx)
{
	ld_lfile t, *f;
	size_t maxsz = 0;
	int rc;

	memset(&t, 0, sizeof(t));
	t.path = path;
	t.path_len = (uint32_t)plen;
	t.type = (uint8_t)type;
	t.mode = e->mode;
	t.size = e->size > 0 ? (uint64_t)e->size : 0;
	if (type == LD_LF_REG && !ld_wants_match(wants, ld_slice_make(path, plen), &maxsz)) {
		/* not wanted: analyzers may still keep something of it, else it is a plain file */
		if (ld_wants_analyzer_count(wants) && (rc = analyze(w, l, &t, wants, ctx, scratch)))
			return rc;
		if (!t.results) {
			if ((rc = note_parent(l, dirs, ld_slice_make(path, plen), ctx)))
				return rc;
			if ((rc = ld_layer_add_plain(l, ld_slice_make(path, plen), prev, prevlen)))
				return rc == LADING_ELIMIT || l->plain.fc.over_budget
					       ? ld_budget_error(ctx, l->plain.cap * 4,
								 "recording the entries of layer %zu (%zu so far)",
								 l->index + 1, ld_layer_entry_count(l))
					       : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			return 0;
		}
		return keep(l, &t, ctx) ? 0 : ctx->err.code;
	}
	if (type == LD_LF_SYMLINK) {
		if (!(t.link = ld_arena_strdup(&l->arena, e->link ? e->link : "")))
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	} else if (type == LD_LF_HARDLINK) {
		char canon[LD_PATH_MAX];
		size_t cn;
		if (!e->link || ld_path_canon(ld_slice_cstr(e->link), canon, &cn) != LD_PATH_OK || !cn) {
			ld_warn(ctx, "layer %zu: hardlink %s has an unusable target: skipped", l->index + 1, path);
			return 0;
		}
		if (!(t.link = ld_arena_strndup(&l->arena, canon, cn)))
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	if (!(f = keep(l, &t, ctx)))
		return ctx->err.code;
	if (type == LD_LF_DIR && ld_map_put(dirs, ld_slice_make(f->path, f->path_len), (void *)(uintptr_t)l->files.len, NULL))
		return map_fail(dirs, l, ctx);
	if (type != LD_LF_REG && !(type == LD_LF_HARDLINK && ld_wants_match(wants, ld_slice_make(path, plen), &maxsz)))
		return 0;
	f->wanted = true;
	if (type == LD_LF_HARDLINK) {
		(*pending_links)++;
	} else if (f->size > maxsz) {
		f->too_big = true;
		ld_warn(ctx, "layer %zu: %s is %" PRIu64 " bytes, over the %zu-byte limit for it: not read", l->index + 1,
			path, f->size, maxsz);
	} else if (l->captured_bytes + f->size > LD_LAYER_MAX_CAPTURE) {
		return ld_error_set(ctx, LADING_ELIMIT, "layer %zu: wanted files exceed %zu bytes", l->index + 1,
				    LD_LAYER_MAX_CAPTURE);
	} else {
		if ((rc = capture(w, l, f, f->size, ctx)))
			return rc;
		if (ld_map_put(captured, ld_slice_make(f->path, f->path_len), (void *)(uintptr_t)l->files.len, NULL))
			return map_fail(captured, l, ctx);
	}
	if (type == LD_LF_REG && !f->captured && ld_wants_analyzer_count(wants))
		return analyze(w, l, f, wants, ctx, scratch);
	return 0;
}

/* A wanted hardlink takes its target's bytes only within its own cap (the cap of the wanted
 * pattern its path matches), however the target itself got captured. */
static void link_capped(ld_lfile *f, const ld_lfile *tf, size_t cap, ld_layer *l, lading_ctx *ctx)
{
	uint64_t len = tf->captured ? tf->data_len : tf->size;
	if (!tf->captured || len > cap) {
		if (!f->too_big)
			ld_warn(ctx, "layer %zu: %s (a hardlink to %s) is %" PRIu64 " bytes, over the %zu-byte limit "
				"for it: not read", l->index + 1, f->path, tf->path, len, cap);
		f->too_big = true;
		return;
	}
	f->data = tf->data;
	f->data_len = tf->data_len;
	f->captured = true;
	f->size = tf->size;
}

/* The regular file a hardlink names (the last of that path), captured or not; a plain file
 * (kept as a hash only) has a record once a fetch captured it. */
static const ld_lfile *link_target(const ld_map *regs, const ld_layer *l, const ld_lfile *f)
{
	const ld_lfile *tf = ld_map_gets(regs, f->link);
	for (size_t i = 0; !tf && i < l->extra.len; i++) {
		const ld_lfile *x = *(ld_lfile *const *)ld_vec_at(&l->extra, i);
		if (!strcmp(x->path, f->link))
			tf = x;
	}
	return tf;
}

/* A hardlink target kept as a plain file's hash: it can be fetched, its size is known then. */
static bool link_plain(const ld_layer *l, const ld_lfile *f)
{
	ld_slice p = ld_slice_cstr(f->link);
	return ld_layer_has_plain(l, ld_hash64_keyed(p.ptr, p.len));
}

/* After the stream: wanted hardlinks share their target's captured bytes; targets that were
 * not captured (not wanted themselves) are read again, each under the largest cap of the links
 * that want it, and each link then keeps the bytes only within its own cap. */
static int link_wanted(lading_image *img, ld_layer *l, const ld_wants *wants, size_t pending,
		       lading_ctx *ctx)
{
	const char **need = calloc(pending, sizeof(char *));
	size_t *caps = calloc(pending, sizeof(size_t)), nn = 0;
	ld_map regs, slot; /* path -> regular file; target path -> index+1 in need */
	int rc = 0;

	ld_map_init(&regs);
	ld_map_init(&slot);
	if (!need || !caps)
		goto oom;
	for (size_t i = 0; i < l->files.len; i++) {
		ld_lfile *f = ld_layer_file(l, i);
		if (f->type == LD_LF_REG && ld_map_put(&regs, ld_slice_make(f->path, f->path_len), f, NULL))
			goto oom;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < l->files.len; i++) {
			ld_lfile *f = ld_layer_file(l, i);
			const ld_lfile *tf;
			size_t cap = 0;
			if (f->type != LD_LF_HARDLINK || !f->wanted || f->captured || f->too_big)
				continue;
			ld_wants_match(wants, ld_slice_make(f->path, f->path_len), &cap);
			tf = link_target(&regs, l, f);
			if (tf && tf->captured) {
				link_capped(f, tf, cap, l, ctx);
			} else if (tf && pass == 1 && tf->size > cap) {
				link_capped(f, tf, cap, l, ctx); /* warns: over its cap, not read */
			} else if ((tf || link_plain(l, f)) && pass == 0) {
				uintptr_t k = (uintptr_t)ld_map_gets(&slot, f->link);
				if (!k && nn < pending) {
					need[nn] = f->link;
					caps[nn++] = cap;
					if (ld_map_put(&slot, ld_slice_cstr(f->link), (void *)(uintptr_t)nn, NULL))
						goto oom;
				} else if (k && cap > caps[k - 1]) {
					caps[k - 1] = cap;
				}
			}
		}
		if (pass == 0 && nn && (rc = ld_layer_fetch(img, l, need, caps, nn, ctx)))
			goto out;
		if (!nn)
			break;
	}
	goto out;
oom:
	rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
out:
	ld_map_release(&regs);
	ld_map_release(&slot);
	free(need);
	free(caps);
	return rc;
}

/* Full read of one layer: metadata of every entry, content of wanted ones. */
static int read_layer(read_job *job, lading_image *img, ld_layer *l, const ld_wants *wants, lading_ctx *ctx)
{
	ld_entries *w = NULL;
	ld_ar_entry e;
	ld_map captured; /* path -> index+1 of captured regular files, for hardlinks */
	ld_map dirs;     /* directories recorded, for the parents of plain files */
	ld_buf scratch = LD_BUF_INIT; /* analyzed files pass through here */
	size_t pending_links = 0, prevlen = 0;
	uint64_t reported = 0;
	char *prev = malloc(LD_PATH_MAX); /* previous plain path, for front coding */
	int rc, r;

	ld_map_init(&captured);
	ld_map_init(&dirs);
	ld_map_set_budget(&captured, l->plain.budget);
	ld_map_set_budget(&dirs, l->plain.budget);
	ld_buf_set_budget(&scratch, l->plain.budget);
	/* [layer cache] plain files' paths are kept only for the cache file */
	l->plain.keep_paths = l->cache != NULL;
	if (!prev) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = open_layer_entries(img, l->index, l, &w, ctx)))
		goto out;
	while ((r = w->next(w, &e)) > 0) {
		ld_lf_type type;
		char path[LD_PATH_MAX];
		size_t plen;
		uint64_t used;

		if (job && atomic_load(&job->stop)) {
			rc = LADING_EIO; /* another layer failed; its error is reported */
			goto out;
		}
		if (!classify(&e, path, &type, &plen, ctx, l->index))
			continue;
		if (img->kind == LD_SRC_ROOTFS_TAR && ld_layer_entry_count(l) < 16 &&
		    (!strcmp(path, "manifest.json") || !strcmp(path, "oci-layout"))) {
			rc = ld_error_set(ctx, LADING_EUNSUPPORTED,
					  "%s looks like a compressed docker-archive or OCI archive; decompress it "
					  "first (e.g. gunzip) and scan the .tar",
					  img->info.source_path);
			goto out;
		}
		if (ld_layer_entry_count(l) >= LD_LAYER_MAX_ENTRIES) {
			rc = ld_error_set(ctx, LADING_ELIMIT, "layer %zu has more than %d entries", l->index + 1,
					  LD_LAYER_MAX_ENTRIES);
			goto out;
		}
		if ((rc = record_entry(w, l, wants, &e, type, path, plen, &captured, &dirs, &scratch, prev, &prevlen,
				       &pending_links, ctx)))
			goto out;
		used = w->consumed(w);
		if (used - reported >= PROGRESS_STEP) {
			progress_add(job, l->index, used - reported);
			reported = used;
		}
	}
	if (r < 0) {
		rc = r;
		goto out;
	}
	ld_map_release(&dirs);
	ld_layer_plain_sort(l);
	/* read to the end so the digest of the whole blob gets checked */
	if (!img->ops->open_entries && (rc = tar_drain(w)))
		goto out;
	progress_add(job, l->index, w->consumed(w) - reported);
	l->bytes_in = w->consumed(w);

	/* hardlinks to wanted content: share the target's bytes, or fetch targets we skipped */
	if (pending_links) {
		w->close(w);
		w = NULL;
		rc = link_wanted(img, l, wants, pending_links, ctx);
	}
out:
	if (w)
		w->close(w);
	ld_map_release(&captured);
	ld_map_release(&dirs);
	ld_buf_release(&scratch);
	free(prev);
	return rc;
}

/* After a failure while decoding a layer, find out whether the blob itself is corrupt: a
 * digest mismatch is the root cause to report, not the decompressor's complaint. */
static int blame_digest(lading_image *img, ld_layer *l, int rc, lading_ctx *ctx)
{
	lading_ctx probe;
	ld_stream *s;
	int prc;
	if (rc == LADING_EDIGEST || !img->ops->open_layer || !img->lsrc[l->index].blob_digest[0])
		return rc;
	ld_ctx_init_child(&probe, ctx);
	prc = img->ops->open_layer(img, l->index, &s, &probe);
	if (!prc) {
		prc = ld_stream_drain(s);
		ld_stream_close(s);
	}
	if (prc == LADING_EDIGEST) {
		ld_ctx_adopt_error(ctx, &probe);
		rc = LADING_EDIGEST;
	}
	ld_ctx_release_child(&probe);
	return rc;
}

static void *worker(void *arg)
{
	read_job *job = arg;
	for (;;) {
		size_t k = atomic_fetch_add(&job->next, 1), i;
		int rc;
		if (k >= job->n || atomic_load(&job->stop))
			break;
		i = job->order[k];
		/* [layer cache] a layer analyzed before is not read again (layer/cache.c) */
		rc = ld_layer_cache_lookup(job->img, &job->layers[i], job->wants, &job->workers[i]);
		if (rc == 1) {
			progress_add(job, i, job->img->layers[i].size > 0 ? (uint64_t)job->img->layers[i].size : 0);
			job->rcs[i] = 0;
			continue;
		}
		if (rc == 0) {
			rc = read_layer(job, job->img, &job->layers[i], job->wants, &job->workers[i]);
			if (rc && !atomic_load(&job->stop))
				rc = blame_digest(job->img, &job->layers[i], rc, &job->workers[i]);
			/* [budget] before the cache stores the layer: a hit must not bring the copies back */
			if (!rc)
				ld_layer_drop_big(&job->layers[i], job->wants);
			ld_layer_cache_finish(job->img, &job->layers[i], &job->workers[i], rc); /* [layer cache] */
		}
		job->rcs[i] = rc;
		if (rc)
			atomic_store(&job->stop, true);
	}
	return NULL;
}

static void free_big(ld_layer *l)
{
	for (size_t i = 0; i < l->files.len; i++) {
		ld_lfile *f = ld_layer_file(l, i);
		if (f->big && f->data) {
			ld_budget_release(l->plain.budget, f->big_size);
			ld_mem_sparse_free((void *)f->data, f->big_size);
			f->data = NULL;
		}
		f->big = false;
	}
	for (size_t i = 0; i < l->extra.len; i++) {
		ld_lfile *f = *(ld_lfile **)ld_vec_at(&l->extra, i);
		if (f->big && f->data) {
			ld_budget_release(l->plain.budget, f->big_size);
			ld_mem_sparse_free((void *)f->data, f->big_size);
			f->data = NULL;
		}
		f->big = false;
	}
}

void ld_layer_drop_big(ld_layer *l, const ld_wants *w)
{
	for (size_t i = 0; i < l->files.len; i++) {
		ld_lfile *f = ld_layer_file(l, i);
		bool shared = false;
		(void)w;
		if (!f->big || !f->captured || f->type != LD_LF_REG)
			continue;
		for (size_t j = 0; j < l->files.len && !shared; j++)
			shared = j != i && ld_layer_file(l, j)->data == f->data;
		if (shared)
			continue; /* a hardlink holds the same bytes: keep them */
		ld_budget_release(l->plain.budget, f->big_size);
		ld_mem_sparse_free((void *)f->data, f->big_size);
		f->data = NULL;
		f->data_len = 0;
		f->big = f->captured = false;
		f->dropped = true;
	}
}

void ld_layer_file_release(ld_layer_filebuf *b)
{
	if (b->data) {
		ld_mem_sparse_free(b->data, b->cap);
		ld_budget_release(b->budget, b->cap);
	}
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Read the current entry (declared `size`) into a mapping of its own. */
static int read_entry_block(ld_entries *w, uint64_t size, ld_layer_filebuf *out, const char *path,
			    size_t layer, lading_ctx *ctx)
{
	size_t cap = (size_t)size + 1;
	if (!ld_budget_charge(out->budget, cap))
		return ld_budget_error(ctx, size, "reading /%s of layer %zu again", path, layer + 1);
	if (!(out->data = ld_mem_sparse_alloc(cap))) {
		ld_budget_release(out->budget, cap);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	out->cap = cap;
	while (out->len < cap - 1) {
		ssize_t got = w->read(w, out->data + out->len, cap - 1 - out->len);
		if (got < 0)
			return (int)got;
		if (got == 0)
			break;
		out->len += (size_t)got;
	}
	out->data[out->len] = '\0';
	return 0;
}

static int verify_rest(ld_entries *w, const lading_image *img, size_t i);

int ld_layer_read_file(lading_image *img, const ld_layer *l, const char *path, size_t max,
		       ld_layer_filebuf *out, lading_ctx *ctx)
{
	ld_entries *w = NULL;
	ld_ar_entry e;
	ld_layer tmp = *l; /* open_layer_entries records the compression it finds on it */
	int rc, r;

	out->data = NULL;
	out->len = out->cap = 0;
	if ((rc = open_layer_entries(img, l->index, &tmp, &w, ctx)))
		return rc;
	rc = LADING_ENOTFOUND;
	while ((r = w->next(w, &e)) > 0) {
		char canon[LD_PATH_MAX];
		size_t cn;
		if (e.type != LD_AR_REG || ld_path_canon(ld_slice_cstr(e.path), canon, &cn) != LD_PATH_OK ||
		    strcmp(canon, path))
			continue;
		if (e.size > 0 && (uint64_t)e.size > max)
			rc = ld_error_set(ctx, LADING_ELIMIT, "layer %zu: /%s is over %zu bytes", l->index + 1, path, max);
		else
			rc = read_entry_block(w, e.size > 0 ? (uint64_t)e.size : 0, out, path, l->index, ctx);
		break;
	}
	if (r < 0 && rc == LADING_ENOTFOUND)
		rc = r;
	/* a second read is verified like the first before its bytes are used: the rest of the
	 * stored blob goes through its digest check */
	if (rc == 0 && (rc = verify_rest(w, img, l->index)))
		ld_layer_file_release(out);
	w->close(w);
	return rc;
}

void ld_layers_free(ld_layer *layers, size_t n)
{
	if (!layers)
		return;
	for (size_t i = 0; i < n; i++) {
		free_big(&layers[i]);
		ld_budget_release(layers[i].plain.budget, layers[i].plain.cap * sizeof(uint64_t) +
								  layers[i].plain.kept * sizeof(ld_lfile));
		ld_vec_release(&layers[i].files);
		ld_vec_release(&layers[i].extra);
		free(layers[i].plain.hash);
		ld_buf_release(&layers[i].plain.fc);
		ld_arena_release(&layers[i].arena);
	}
	free(layers);
}

int ld_layers_read(ld_layer **out, lading_image *img, const ld_wants *wants, lading_ctx *ctx)
{
	size_t n = img->info.layer_count, nthreads;
	ld_layer *layers;
	read_job job;
	pthread_t tids[64];
	size_t started = 0;
	int rc = 0;

	*out = NULL;
	layers = calloc(n ? n : 1, sizeof(*layers));
	memset(&job, 0, sizeof(job));
	job.order = calloc(n ? n : 1, sizeof(size_t));
	job.workers = calloc(n ? n : 1, sizeof(lading_ctx));
	job.rcs = calloc(n ? n : 1, sizeof(int));
	if (!layers || !job.order || !job.workers || !job.rcs) {
		rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		layers[i].index = i;
		ld_arena_init(&layers[i].arena, 0);
		ld_vec_init(&layers[i].files, sizeof(ld_lfile), 0);
		ld_vec_init(&layers[i].extra, sizeof(ld_lfile *), 0);
		ld_buf_init(&layers[i].plain.fc, (size_t)1 << 30);
		/* [budget] everything a layer holds is charged to the scan's budget */
		layers[i].plain.budget = ld_ctx_budget(ctx);
		ld_arena_set_budget(&layers[i].arena, layers[i].plain.budget);
		ld_buf_set_budget(&layers[i].plain.fc, layers[i].plain.budget);
		ld_ctx_init_child(&job.workers[i], ctx);
		job.order[i] = i;
		if (img->layers[i].size > 0)
			job.total += (uint64_t)img->layers[i].size;
	}
	/* biggest layers first: the last layer to finish then tends to be a small one */
	for (size_t i = 1; i < n; i++) {
		size_t x = job.order[i], j = i;
		while (j > 0 && img->layers[job.order[j - 1]].size < img->layers[x].size) {
			job.order[j] = job.order[j - 1];
			j--;
		}
		job.order[j] = x;
	}
	job.img = img;
	job.wants = wants;
	job.layers = layers;
	job.n = n;
	job.ctx = ctx;
	atomic_init(&job.next, 0);
	atomic_init(&job.stop, false);
	pthread_mutex_init(&job.mu, NULL);

	nthreads = ld_ctx_threads(ctx);
	/* [registry] downloads wait on the network: read more layers at once than there are cores */
	if (img->io_parallel > nthreads)
		nthreads = img->io_parallel;
	if (nthreads > n)
		nthreads = n;
	if (nthreads > LD_ARRAY_LEN(tids))
		nthreads = LD_ARRAY_LEN(tids);
	for (size_t t = 1; t < nthreads; t++) {
		if (pthread_create(&tids[started], NULL, worker, &job) != 0)
			break;
		started++;
	}
	worker(&job); /* the calling thread works too */
	for (size_t t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	pthread_mutex_destroy(&job.mu);

	/* report the failure of the lowest layer, deterministically */
	for (size_t i = 0; i < n; i++) {
		if (job.rcs[i] && job.workers[i].err.code) {
			rc = ld_ctx_adopt_error(ctx, &job.workers[i]);
			break;
		}
	}
	if (!rc) {
		for (size_t i = 0; i < n; i++)
			if (job.rcs[i]) {
				rc = job.rcs[i];
				ld_error_set(ctx, rc, "reading layer %zu failed", i + 1);
				break;
			}
	}
out:
	if (job.workers)
		for (size_t i = 0; i < n; i++)
			ld_ctx_release_child(&job.workers[i]);
	free(job.workers);
	free(job.order);
	free(job.rcs);
	if (rc) {
		ld_layers_free(layers, n);
		return rc;
	}
	*out = layers;
	return 0;
}

/* A plain file captured by a fetch: a whole record of its own, beside the layer's files (whose
 * addresses the view holds, so the vector must not move). */
static ld_lfile *new_extra(ld_layer *l, ld_slice path, const ld_ar_entry *e)
{
	ld_lfile *f = ld_arena_alloc(&l->arena, sizeof(*f)), **slot;
	if (!f || !(f->path = ld_arena_slice(&l->arena, path)) || !(slot = ld_vec_push(&l->extra)))
		return NULL;
	*slot = f;
	f->path_len = (uint32_t)path.len;
	f->type = LD_LF_REG;
	f->mode = e->mode;
	f->size = e->size > 0 ? (uint64_t)e->size : 0;
	return f;
}

/* After a re-read captured what it came for: read the rest of the stored bytes through the
 * source's digest check (the blob's, or the diff_id's on the decoded tar), so that bytes from a
 * blob changed since the first read are never used nor cached. */
static int verify_rest(ld_entries *w, const lading_image *img, size_t i)
{
	tar_entries *t = (tar_entries *)w;
	if (img->ops->open_entries)
		return 0; /* a directory on the host: no stored blob */
	if (img->lsrc[i].verify_diff_id)
		return ld_ar_drain(t->ar);
	return ld_stream_drain(t->stored);
}

/* The files of `l` captured by this fetch are dropped again (their re-read failed). */
static void uncapture(ld_map *idx)
{
	const ld_map_slot *slot;
	for (size_t i = 0; ld_map_next(idx, &i, &slot);) {
		ld_lfile *f = slot->val;
		if (f->fetched) {
			f->captured = f->fetched = false;
			f->data = NULL;
			f->data_len = 0;
		}
	}
}

int ld_layer_fetch(lading_image *img, ld_layer *l, const char *const *paths, const size_t *caps, size_t n,
		   lading_ctx *ctx)
{
	ld_map want, idx, plain;
	ld_entries *w = NULL;
	ld_ar_entry e;
	size_t remaining = 0;
	bool fetched = false;
	int rc = 0, r = 0;

	/* [layer cache] what an earlier run fetched from this layer comes back without reading it */
	ld_layer_cache_refetch(l, paths, caps, n);
	ld_map_init(&want);
	ld_map_init(&idx);
	ld_map_init(&plain);
	/* path -> index+1 in paths (its cap); a path asked twice keeps its larger cap */
	for (size_t i = 0; i < n; i++) {
		uintptr_t k = (uintptr_t)ld_map_gets(&want, paths[i]);
		if (k && caps[k - 1] >= caps[i])
			continue;
		if (ld_map_put(&want, ld_slice_cstr(paths[i]), (void *)(uintptr_t)(i + 1), NULL))
			goto oom;
	}
	/* index this layer's regular files by path (the last duplicate wins) */
	for (size_t i = 0; i < l->files.len; i++) {
		ld_lfile *f = ld_layer_file(l, i);
		if (f->type == LD_LF_REG && ld_map_gets(&want, f->path) && !f->captured)
			if (ld_map_put(&idx, ld_slice_make(f->path, f->path_len), f, NULL))
				goto oom;
	}
	/* plain files asked for get a record when they are met */
	for (size_t i = 0; i < n; i++) {
		ld_slice p = ld_slice_cstr(paths[i]);
		if (!ld_map_get(&idx, p) && !ld_layer_captured(l, paths[i]) &&
		    ld_layer_has_plain(l, ld_hash64_keyed(p.ptr, p.len)) && ld_map_put(&plain, p, (void *)1, NULL))
			goto oom;
	}
	remaining = idx.len + plain.len;
	if (!remaining)
		goto out;
	if ((rc = open_layer_entries(img, l->index, l, &w, ctx)))
		goto out;
	while (remaining && (r = w->next(w, &e)) > 0) {
		char canon[LD_PATH_MAX];
		size_t cn, cap;
		ld_lfile *f;
		if (e.type != LD_AR_REG || ld_path_canon(ld_slice_cstr(e.path), canon, &cn) != LD_PATH_OK)
			continue;
		f = ld_map_get(&idx, ld_slice_make(canon, cn));
		if (!f && ld_map_del(&plain, ld_slice_make(canon, cn))) {
			/* a plain file: its record is made now, once */
			if (!(f = new_extra(l, ld_slice_make(canon, cn), &e)) ||
			    ld_map_put(&idx, ld_slice_make(f->path, f->path_len), f, NULL))
				goto oom;
		}
		if (!f)
			continue;
		if (f->captured)
			continue;
		f->wanted = true;
		cap = caps[(uintptr_t)ld_map_get(&want, ld_slice_make(canon, cn)) - 1];
		if (e.size < 0 || (uint64_t)e.size > cap) {
			if (!f->too_big)
				ld_warn(ctx, "layer %zu: %s is %" PRId64 " bytes, over the %zu-byte limit for it: not read",
					l->index + 1, f->path, e.size, cap);
			f->too_big = true;
			remaining--;
			continue;
		}
		if (l->captured_bytes + (uint64_t)e.size > LD_LAYER_MAX_CAPTURE) {
			rc = ld_error_set(ctx, LADING_ELIMIT, "layer %zu: wanted files exceed %zu bytes", l->index + 1,
					  LD_LAYER_MAX_CAPTURE);
			goto out;
		}
		if ((rc = capture(w, l, f, (uint64_t)e.size, ctx)))
			goto out;
		f->fetched = fetched = true;
		remaining--;
	}
	if (r < 0) {
		rc = r;
		goto out;
	}
	if ((rc = verify_rest(w, img, l->index)))
		goto out;
	if (fetched)
		ld_layer_cache_update(img, l); /* [layer cache] keep what was fetched (verified) */
	goto out;
oom:
	rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
out:
	if (rc)
		uncapture(&idx);
	if (w)
		w->close(w);
	ld_map_release(&want);
	ld_map_release(&idx);
	ld_map_release(&plain);
	return rc;
}
