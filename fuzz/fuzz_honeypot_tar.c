/* Fuzz the honeypot's streaming tar lister (honeypot/tarlist.c): the input fed in pieces whose
 * sizes come from its first byte gives the same listing as fed whole; names stay terminated,
 * excerpts and counts stay within what arrived. */
#include "util/common.h"
#include "honeypot/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct listing {
	uint64_t files, bytes, sum;
} listing;

static void on_file(void *arg, const ld_hp_tar_file *f)
{
	listing *l = arg;
	if (strlen(f->name) >= sizeof(f->name) || f->got > f->size || f->headlen > f->got ||
	    f->headlen > sizeof(f->head))
		__builtin_trap();
	l->files++;
	l->bytes += f->got;
	for (size_t i = 0; i < sizeof(f->sha256) && f->sha256[i]; i++)
		l->sum += (unsigned char)f->sha256[i] * (i + 1);
}

static listing run(const uint8_t *data, size_t size, size_t piece)
{
	ld_hp_tar_stream t;
	listing l = {0, 0, 0};
	ld_hp_tar_stream_init(&t, on_file, &l);
	for (size_t off = 0; off < size; off += piece)
		if (ld_hp_tar_stream_feed(&t, (const char *)data + off, LD_MIN(piece, size - off)) !=
		    LD_HP_MORE)
			break;
	ld_hp_tar_stream_end(&t);
	return l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	listing whole, pieces;
	size_t piece;
	if (!size)
		return 0;
	piece = (size_t)data[0] % 97 + 1;
	whole = run(data + 1, size - 1, size);
	pieces = run(data + 1, size - 1, piece);
	if (whole.files != pieces.files || whole.bytes != pieces.bytes || whole.sum != pieces.sum ||
	    whole.bytes > size)
		__builtin_trap();
	return 0;
}
