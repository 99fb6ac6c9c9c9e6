/* fuzz_ignore: libFuzzer target for the .dockerignore matcher (fuzz/README.md). The
 * input is a .dockerignore text, a NUL, and a path: parsing and matching must never
 * crash or leak, whatever the patterns. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - text) : size;
	struct ign g = {0};
	char *path;

	if (size > 2048)
		return 0; /* globs backtrack: long inputs only measure that */
	path = malloc(size - tlen + 1);
	if (!path)
		return 0;
	memcpy(path, nul ? nul + 1 : "", nul ? size - tlen - 1 : 0);
	path[nul ? size - tlen - 1 : 0] = '\0';
	if (ign_parse(&g, text, tlen, "fuzz") == 0) {
		ign_excluded(&g, path, NULL);
		ign_below(&g, path);
	}
	ign_free(&g);
	free(path);
	return 0;
}
