/* mhash.c: dependency-layer cache key (see mhash.h). */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cargo.h"
#include "hash.h"
#include "layout.h"
#include "path.h"
#include "mhash.h"
#include "proj.h"
#include "tdir.h"
#include "vendor.h"
#include "walk.h"

/* Call fn for every manifest-layer file below dir, in sorted path order, with its
 * masked content; stops at the first fn failure. */
static int
mhash_each(const char *dir, const struct strv *exclude,
	   int (*fn)(void *, const char *, const struct buf *), void *ctx)
{
	struct cargo_ws *ws = NULL;
	struct strv files = {0}, vdirs = {0};
	struct buf data = {0}, root = {0}, rel = {0};
	struct layout lo = {0};
	size_t i, k;
	int rc = -1;

	/* vendored crates are keyed by their checksum files instead (vendor_tree_sig) */
	if (cargo_load(dir, &ws) < 0 || vendor_dirs(dir, &vdirs) < 0 || tdir_add(dir, &vdirs) < 0 ||
	    proj_list(dir, exclude, &vdirs, &files) < 0)
		goto done;
	if (layout_make(ws, &lo) < 0)
		goto done;
	/* the project's files, then each outside path dependency's, named from the
	 * project ("../../libs/common/Cargo.toml") */
	for (k = 0; k <= lo.outer.n; k++) {
		if (k) {
			strv_free(&files);
			if (path_cat(&root, dir, "") < 0 || buf_fmt(&root, "/%s", lo.outer.v[k - 1]) < 0 ||
			    walk_files(root.s, &files) < 0)
				goto done;
		}
		for (i = 0; i < files.n; i++) {
			if (!cargo_layer_file(files.v[i]))
				continue;
			data.len = 0;
			if (path_cat(&rel, k ? lo.outer.v[k - 1] : "", files.v[i]) < 0 ||
			    cargo_layer_read(ws, rel.s, &data) < 0 || fn(ctx, rel.s, &data) < 0)
				goto done;
		}
	}
	rc = 0;
done:
	layout_free(&lo);
	buf_free(&root);
	buf_free(&rel);
	buf_free(&data);
	strv_free(&files);
	strv_free(&vdirs);
	cargo_free(ws);
	return rc;
}

static int
add_records(void *h, const char *path, const struct buf *data)
{
	hash_record(h, path, strlen(path));
	return hash_record(h, data->s ? data->s : "", data->len);
}

int
mhash_dir(const char *dir, const struct strv *exclude, char hex[33])
{
	struct hash *h = hash_new();

	if (!h)
		return -1;
	if (mhash_each(dir, exclude, add_records, h) < 0) {
		char junk[HASH_HEX + 1];

		hash_done(h, junk); /* only to free the state */
		return -1;
	}
	hash_done(h, hex);
	return 0;
}

static int
add_line(void *lines, const char *path, const struct buf *data)
{
	struct hash *h = hash_new();
	struct buf line = {0};
	char hex[HASH_HEX + 1];
	int rc;

	if (!h)
		return -1;
	hash_record(h, data->s ? data->s : "", data->len);
	hash_done(h, hex);
	rc = buf_fmt(&line, "manifest\t%s\t%s", path, hex) < 0 ? -1 : strv_add(lines, line.s);
	buf_free(&line);
	return rc;
}

int
mhash_lines(const char *dir, const struct strv *exclude, struct strv *lines)
{
	return mhash_each(dir, exclude, add_line, lines);
}
