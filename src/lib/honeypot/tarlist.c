/* Listing a tar stream as it arrives (the body of a `docker cp` upload, of any size): each
 * entry's name, type and size, the sha256 and first bytes of a file's data, without keeping or
 * writing the data. Header fields and checksums are read by util/tar.c's rules; this file only
 * walks blocks fed in pieces. Fuzzed by fuzz/fuzz_honeypot_tar.c. */
#include "util/common.h"
#include "util/hash.h"
#include "util/tar.h"
#include "honeypot/proto.h"

#define BLOCK LD_TAR_BLOCK

void ld_hp_tar_stream_init(ld_hp_tar_stream *t, ld_hp_tar_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

static size_t field_len(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i])
		i++;
	return i;
}

static void header_name(ld_hp_tar_stream *t, const unsigned char *h)
{
	size_t nlen = field_len(h, 100);
	size_t plen = !memcmp(h + 257, "ustar", 5) ? field_len(h + 345, 155) : 0;
	char *name = t->cur.name;
	if (t->next_name[0]) {
		ld_strlcpy(name, t->next_name, LD_TAR_MAX_NAME);
		t->next_name[0] = '\0';
	} else if (plen) {
		memcpy(name, h + 345, plen);
		name[plen] = '/';
		memcpy(name + plen + 1, h, nlen);
		name[plen + 1 + nlen] = '\0';
	} else {
		memcpy(name, h, nlen);
		name[nlen] = '\0';
	}
}

static void entry_done(ld_hp_tar_stream *t)
{
	if (t->sha) {
		ld_sha256 *h = t->sha;
		char d[LD_DIGEST_STR_LEN];
		ld_sha256_final(h, d);
		memcpy(t->cur.sha256, d + 7, 65);
		free(h);
		t->sha = NULL;
	}
	if (t->long_name) {
		/* GNU 'L': its data is the name of the entry that follows */
		size_t n = LD_MIN(t->cur.headlen, (size_t)LD_TAR_MAX_NAME - 1);
		memcpy(t->next_name, t->cur.head, n);
		t->next_name[n] = '\0';
		t->next_name[field_len((const unsigned char *)t->next_name, n)] = '\0';
	} else if (t->fn) {
		t->fn(t->arg, &t->cur);
	}
	t->in_entry = t->long_name = false;
}

/* A whole header block: the entry starts (or the archive ends). */
static int header(ld_hp_tar_stream *t)
{
	const unsigned char *h = t->block;
	int64_t size;
	if (ld_tar_zero_block(h)) {
		t->ended = true;
		return LD_HP_DONE;
	}
	if (!ld_tar_checksum_ok(h) || !ld_tar_num(h + 124, 12, &size)) {
		t->failed = true;
		return LADING_EINVALID;
	}
	memset(&t->cur, 0, sizeof(t->cur));
	header_name(t, h);
	t->cur.type = h[156] ? (char)h[156] : '0';
	t->cur.size = (uint64_t)size;
	t->left = (uint64_t)size;
	t->pad = (BLOCK - (uint64_t)size % BLOCK) % BLOCK;
	t->in_entry = true;
	t->long_name = t->cur.type == 'L';
	if (t->cur.type == '0' || t->cur.type == '7') {
		ld_sha256 *sh = malloc(sizeof(*sh));
		if (sh && ld_sha256_init(sh) == 0)
			t->sha = sh;
		else
			free(sh);
	}
	if (!t->left)
		entry_done(t);
	return LD_HP_MORE;
}

/* Data of the current entry: hashed, its first bytes kept. */
static size_t data(ld_hp_tar_stream *t, const char *p, size_t n)
{
	size_t take = (size_t)LD_MIN((uint64_t)n, t->left);
	size_t keep = LD_MIN(take, (size_t)LD_TAR_HEAD_KEPT - t->cur.headlen);
	memcpy(t->cur.head + t->cur.headlen, p, keep);
	t->cur.headlen += keep;
	if (t->sha)
		ld_sha256_update(t->sha, p, take);
	t->cur.got += take;
	t->left -= take;
	if (!t->left)
		entry_done(t);
	return take;
}

int ld_hp_tar_stream_feed(ld_hp_tar_stream *t, const char *p, size_t n)
{
	while (n && !t->ended && !t->failed) {
		size_t used;
		if (t->in_entry) {
			used = data(t, p, n);
		} else if (t->pad) {
			used = (size_t)LD_MIN((uint64_t)n, t->pad);
			t->pad -= used;
		} else {
			used = LD_MIN(n, BLOCK - t->blen);
			memcpy(t->block + t->blen, p, used);
			t->blen += used;
			if (t->blen == BLOCK) {
				t->blen = 0;
				header(t);
			}
		}
		p += used;
		n -= used;
	}
	return t->failed ? LADING_EINVALID : t->ended ? LD_HP_DONE : LD_HP_MORE;
}

void ld_hp_tar_stream_end(ld_hp_tar_stream *t)
{
	if (t->in_entry && !t->failed)
		entry_done(t);
	if (t->sha) {
		ld_sha256_release(t->sha);
		free(t->sha);
		t->sha = NULL;
	}
}
