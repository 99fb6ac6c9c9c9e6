/* skel.c: write the deps-stage skeleton (see skel.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cargo.h"
#include "layout.h"
#include "path.h"
#include "proj.h"
#include "skel.h"
#include "tdir.h"
#include "vendor.h"
#include "walk.h"

static const char stub_main[] = "fn main() {}\n";

/* One file of the skeleton. */
struct entry {
	char *rel;
	char *data;
	size_t len;
	int layer;    /* a manifest-layer file, not a stub */
};

struct plan {
	struct entry *e;
	size_t n, cap;
};

static void
plan_free(struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		free(pl->e[i].rel);
		free(pl->e[i].data);
	}
	free(pl->e);
}

static struct entry *
plan_find(struct plan *pl, const char *rel)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		if (!strcmp(pl->e[i].rel, rel))
			return &pl->e[i];
	return NULL;
}

/* Add rel with data (taken over from b). */
static int
plan_add(struct plan *pl, const char *rel, struct buf *b, int layer)
{
	struct entry *e;

	if (GROW(pl->e, pl->n, pl->cap, 16) < 0)
		return -1;
	e = &pl->e[pl->n];
	e->rel = strdup(rel);
	e->len = b->len;
	e->data = buf_take(b);
	e->layer = layer;
	if (!e->rel || !e->data) {
		free(e->rel);
		free(e->data);
		err_set("out of memory");
		return -1;
	}
	pl->n++;
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->rel, ((const struct entry *)b)->rel);
}

static const char *
kind_name(enum cargo_kind k)
{
	switch (k) {
	case CARGO_LIB: return "lib";
	case CARGO_BIN: return "bin";
	case CARGO_BUILD: return "build script";
	case CARGO_EXAMPLE: return "example";
	case CARGO_TEST: return "test";
	case CARGO_BENCH: return "bench";
	}
	return "target";
}

/* Stubs for the targets of every own crate, at their places in the layout. */
static int
plan_stubs(struct plan *pl, const struct cargo_ws *ws, const struct layout *lo,
	   const char *src)
{
	struct buf b = {0}, at = {0};
	struct entry *e;
	size_t i, j;
	int rc = -1;

	for (i = 0; i < ws->npkg; i++) {
		const struct cargo_pkg *p = &ws->pkg[i];

		for (j = 0; j < p->ntgt; j++) {
			const struct cargo_target *t = &p->tgt[j];
			int lib = t->kind == CARGO_LIB;

			if (path_norm(lo->prefix, t->path, &at) != 0 || !at.s[0]) {
				err_set("%s: %s '%s' of package '%s' lies outside the project "
					"directory and its path dependencies", src,
					kind_name(t->kind), t->path, p->name);
				goto out;
			}
			e = plan_find(pl, at.s);
			if (e) {
				/* a lib sharing a file with a bin: a main() serves both */
				if (!e->layer && !lib && e->len == 0) {
					free(e->data);
					e->data = strdup(stub_main);
					if (!e->data) {
						err_set("out of memory");
						goto out;
					}
					e->len = strlen(stub_main);
				}
				continue;
			}
			b.len = 0;
			if (buf_adds(&b, lib ? "" : stub_main) < 0 || plan_add(pl, at.s, &b, 0) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	buf_free(&b);
	buf_free(&at);
	return rc;
}

/* The manifest-layer files below src/under (under: "" or an outside dir relative
 * to src), each added at its place below the context root. */
static int
plan_layer(struct plan *pl, const struct cargo_ws *ws, const struct layout *lo,
	   const char *src, const char *under, const struct strv *skip, const char *own,
	   const struct strv *exclude)
{
	struct strv files = {0};
	struct buf root = {0}, rel = {0}, at = {0}, b = {0};
	size_t i, n = own ? strlen(own) : 0;
	int rc = -1;

	/* the project's own files as every walk of it lists them (proj.h) */
	if (path_cat(&root, src, under) < 0 ||
	    (*under ? walk_files_skip(root.s, skip, &files) : proj_list(root.s, exclude, skip, &files)) < 0)
		goto out;
	for (i = 0; i < files.n; i++) {
		if (!cargo_layer_file(files.v[i]))
			continue;
		if (own && !strncmp(files.v[i], own, n) && files.v[i][n] == '/')
			continue;
		b.len = 0;
		if (path_cat(&rel, under, files.v[i]) < 0 || layout_map(lo, rel.s, &at) < 0 ||
		    cargo_layer_read(ws, rel.s, &b) < 0 || buf_addn(&b, "", 0) < 0 ||
		    plan_add(pl, at.s, &b, 1) < 0)
			goto out;
	}
	rc = 0;
out:
	strv_free(&files);
	buf_free(&root);
	buf_free(&rel);
	buf_free(&at);
	buf_free(&b);
	return rc;
}

/* If dst lies inside src, its path relative to src (so a walk of src skips it). */
static char *
nested_prefix(const char *src, const char *dst)
{
	char *rs = realpath(src, NULL), *rd = realpath(dst, NULL), *out = NULL;
	size_t n;

	if (rs && rd) {
		n = strlen(rs);
		if (n == 1)
			n = 0; /* src is "/" */
		if (!strncmp(rd, rs, n) && rd[n] == '/')
			out = strdup(rd + n + 1);
	}
	free(rs);
	free(rd);
	return out;
}

/* Everything the skeleton holds, computed before anything is written. */
static int
plan_make(struct plan *pl, const char *src, const char *dst, const struct strv *exclude)
{
	struct cargo_ws *ws = NULL;
	struct layout lo = {0};
	struct strv vdirs = {0};
	char *skip = nested_prefix(src, dst);
	size_t i;
	int rc = -1;

	/* vendored crates reach the deps stage whole, from ctx/vendor (vendor.h) */
	if (cargo_load(src, &ws) < 0 || layout_make(ws, &lo) < 0 || vendor_dirs(src, &vdirs) < 0 ||
	    tdir_add(src, &vdirs) < 0)
		goto done;
	if (plan_layer(pl, ws, &lo, src, "", &vdirs, skip, exclude) < 0)
		goto done;
	for (i = 0; i < lo.outer.n; i++)
		if (plan_layer(pl, ws, &lo, src, lo.outer.v[i], NULL, NULL, NULL) < 0)
			goto done;
	if (plan_stubs(pl, ws, &lo, src) < 0)
		goto done;
	if (pl->n > 1)
		qsort(pl->e, pl->n, sizeof(*pl->e), entry_cmp);
	rc = 0;
done:
	free(skip);
	strv_free(&vdirs);
	layout_free(&lo);
	cargo_free(ws);
	return rc;
}

/* Remove the directories below dst that rel's removal left empty. */
static void
prune_dirs(const char *dst, const char *rel)
{
	struct buf b = {0};
	char *slash;
	size_t base;

	if (buf_adds(&b, dst) < 0 || buf_addc(&b, '/') < 0)
		goto done;
	base = b.len;
	if (buf_adds(&b, rel) < 0)
		goto done;
	while ((slash = strrchr(b.s + base, '/'))) {
		*slash = '\0';
		if (rmdir(b.s) < 0)
			break;
	}
done:
	buf_free(&b);
}

int
skel_write(const char *src, const char *dst, const struct strv *exclude)
{
	struct plan pl = {0};
	struct strv old = {0};
	struct buf path = {0};
	struct entry key;
	char *slash;
	size_t i;
	int n = 0, r, rc = -1;

	/* dst first, so that a dst inside src is recognised and skipped */
	if (dir_make(dst) < 0)
		goto done;
	if (plan_make(&pl, src, dst, exclude) < 0)
		goto done;
	for (i = 0; i < pl.n; i++) {
		path.len = 0;
		if (buf_fmt(&path, "%s/%s", dst, pl.e[i].rel) < 0)
			goto done;
		slash = strrchr(path.s, '/');
		*slash = '\0';
		r = dir_make(path.s);
		*slash = '/';
		if (r < 0)
			goto done;
		r = file_update(path.s, pl.e[i].data, pl.e[i].len, 0644);
		if (r < 0)
			goto done;
		n += r;
	}
	if (walk_files(dst, &old) < 0)
		goto done;
	for (i = 0; i < old.n; i++) {
		key.rel = old.v[i];
		if (pl.n && bsearch(&key, pl.e, pl.n, sizeof(*pl.e), entry_cmp))
			continue;
		path.len = 0;
		if (buf_fmt(&path, "%s/%s", dst, old.v[i]) < 0)
			goto done;
		if (unlink(path.s) < 0 && errno != ENOENT) {
			err_sys("cannot remove '%s'", path.s);
			goto done;
		}
		n++;
		prune_dirs(dst, old.v[i]);
	}
	rc = n;
done:
	plan_free(&pl);
	strv_free(&old);
	buf_free(&path);
	return rc;
}
