/* Many rows in one statement: the rows go to the backend as one JSON array parameter (after the
 * statement's fixed parameters), so a record of N rows costs N/LD_STORE_BATCH_ROWS round trips
 * instead of N (PostgreSQL over a network: one round trip per row made a 100,000-container
 * snapshot take 18.8 s). */
#include "util/common.h"
#include "store/store.h"

void ld_store_batch_init(ld_store_batch *bt, ld_store *s, ld_sq q, const ld_sv *p, size_t np)
{
	memset(bt, 0, sizeof(*bt));
	bt->s = s;
	bt->q = q;
	bt->np = np < LD_STORE_MAX_PARAMS - 1 ? np : LD_STORE_MAX_PARAMS - 1;
	for (size_t i = 0; i < bt->np; i++)
		bt->p[i] = p[i];
	ld_buf_init(&bt->b, LD_STORE_BATCH_BYTES + (16u << 20));
}

void ld_store_batch_release(ld_store_batch *bt)
{
	ld_buf_release(&bt->b);
}

ld_jw *ld_store_batch_row(ld_store_batch *bt)
{
	if (!bt->rows && !bt->b.len) {
		ld_jw_init(&bt->w, &bt->b, false);
		ld_jw_arr(&bt->w);
	}
	return &bt->w;
}

int ld_store_batch_flush(ld_store_batch *bt)
{
	int rc;

	if (!bt->rows)
		return 0;
	ld_jw_arr_end(&bt->w);
	if (ld_buf_error(&bt->b))
		return ld_error_set(bt->s->ctx, LADING_ENOMEM, "store %s: out of memory for a batch of rows",
				    bt->s->target);
	bt->p[bt->np] = ld_sv_textn(bt->b.ptr, bt->b.len);
	rc = ld_store_exec(bt->s, bt->q, bt->p, bt->np + 1, bt->fn, bt->opaque, NULL);
	ld_buf_clear(&bt->b);
	bt->rows = 0;
	return rc;
}

int ld_store_batch_next(ld_store_batch *bt)
{
	if (++bt->rows >= LD_STORE_BATCH_ROWS || bt->b.len >= LD_STORE_BATCH_BYTES)
		return ld_store_batch_flush(bt);
	return 0;
}
