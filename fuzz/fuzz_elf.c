/* fuzz_elf: libFuzzer target for the ELF reader (build and run: see fuzz/README.md). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elfck.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_info in;
	unsigned zero[3] = {0, 0, 0};

	err_clear();
	if (elf_parse(data, size, &in) < 0) {
		/* every failure explains itself */
		if (!err_get()[0])
			abort();
		return 0;
	}
	/* invariants of a successful parse */
	if (!memchr(in.interp, '\0', sizeof(in.interp)) ||
	    !memchr(in.glibc_name, '\0', sizeof(in.glibc_name)))
		abort();
	if ((in.glibc_name[0] != '\0') != (elf_vercmp(in.glibc, zero) != 0))
		abort();
	if (in.interp[0] && !in.dynamic)
		abort();
	(void)elf_machine_name(in.machine);
	(void)elf_kind_name(in.kind);
	return 0;
}
