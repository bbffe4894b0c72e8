/* Fuzz the honeypot's tar lister (honeypot/tarlist.c): every entry's data stays inside the input,
 * names stay terminated, the walk ends. */
#include "util/common.h"
#include "honeypot/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ld_slice rest = ld_slice_make(data, size);
	ld_hp_tar_entry e;
	for (int i = 0; i < LD_TAR_MAX_ENTRIES; i++) {
		size_t before = rest.len;
		if (ld_hp_tar_next(&rest, &e) != LD_HP_DONE)
			break;
		if (e.data.len && ((const uint8_t *)e.data.ptr < data ||
				   (const uint8_t *)e.data.ptr + e.data.len > data + size))
			__builtin_trap();
		if (strlen(e.name) >= sizeof(e.name) || rest.len >= before)
			__builtin_trap();
	}
	return 0;
}
