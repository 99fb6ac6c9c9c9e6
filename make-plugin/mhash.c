/* mhash.c: dependency-layer cache key (see mhash.h). */
#include <string.h>

#include "buf.h"
#include "cargo.h"
#include "hash.h"
#include "mhash.h"
#include "walk.h"

int
mhash_dir(const char *dir, char hex[33])
{
	struct cargo_ws *ws = NULL;
	struct strv files = {0};
	struct buf data = {0};
	struct hash *h = NULL;
	size_t i;
	int rc = -1;

	if (cargo_load(dir, &ws) < 0)
		goto done;
	if (walk_files(dir, &files) < 0)
		goto done;
	h = hash_new();
	if (!h)
		goto done;
	for (i = 0; i < files.n; i++) {
		if (!cargo_layer_file(files.v[i]))
			continue;
		data.len = 0;
		if (cargo_layer_read(ws, files.v[i], &data) < 0)
			goto done;
		hash_record(h, files.v[i], strlen(files.v[i]));
		hash_record(h, data.s, data.len);
	}
	hash_done(h, hex);
	h = NULL;
	rc = 0;
done:
	if (h) {
		char junk[HASH_HEX + 1];

		hash_done(h, junk); /* only to free the state */
	}
	buf_free(&data);
	strv_free(&files);
	cargo_free(ws);
	return rc;
}
