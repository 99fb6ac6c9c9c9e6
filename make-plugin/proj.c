/* proj.c: the files of a project that reach a build (see proj.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cargo.h"
#include "proj.h"

int
proj_needed(const char *rel)
{
	const char *base = strrchr(rel, '/');
	size_t n = strlen(rel);

	base = base ? base + 1 : rel;
	return cargo_layer_file(rel) || !strcmp(base, "build.rs") ||
	       (n > 3 && !strcmp(rel + n - 3, ".rs"));
}

/* Record "FILE\tPATTERN" once. */
static int
keep(struct proj *p, const char *rel, const char *by)
{
	struct buf b = {0};
	size_t i;
	int rc;

	if (buf_fmt(&b, "%s\t%s", rel, by) < 0)
		return -1;
	for (i = 0; i < p->kept.n; i++)
		if (!strcmp(p->kept.v[i], b.s)) {
			buf_free(&b);
			return 0;
		}
	rc = strv_add(&p->kept, b.s);
	buf_free(&b);
	return rc;
}

/* Load the workspace's package dirs and its targets' source dirs into p->pkgs, as
 * "P\tDIR" and "T\tDIR". */
static int
load_pkgs(struct proj *p)
{
	struct cargo_ws *ws = NULL;
	struct buf b = {0};
	size_t i, j;
	int rc = -1;

	if (cargo_load(p->dir, &ws) < 0)
		return -1;
	for (i = 0; i < ws->npkg; i++) {
		const struct cargo_pkg *k = &ws->pkg[i];

		if (k->outside)
			continue;
		b.len = 0;
		if (*k->dir && (buf_fmt(&b, "P\t%s", k->dir) < 0 || strv_add(&p->pkgs, b.s) < 0))
			goto out;
		for (j = 0; j < k->ntgt; j++) {
			const char *slash = strrchr(k->tgt[j].path, '/');

			b.len = 0;
			if (slash && (buf_fmt(&b, "T\t%.*s", (int)(slash - k->tgt[j].path),
					      k->tgt[j].path) < 0 ||
				      strv_add(&p->pkgs, b.s) < 0))
				goto out;
		}
	}
	p->pkgs_loaded = 1;
	rc = 0;
out:
	buf_free(&b);
	cargo_free(ws);
	return rc;
}

/* Must the excluded directory rel be entered for the files Cargo needs? A .cargo dir,
 * a dir on the way to a package or a target's source, or any dir inside a package
 * that a pattern excludes as a whole. */
static int
needed_dir(struct proj *p, const char *rel)
{
	const char *base = strrchr(rel, '/');
	size_t i, n = strlen(rel);

	if (!strcmp(base ? base + 1 : rel, ".cargo"))
		return 1;
	if (!p->pkgs_loaded && load_pkgs(p) < 0)
		return -1;
	for (i = 0; i < p->pkgs.n; i++) {
		const char *d = p->pkgs.v[i] + 2;
		size_t m = strlen(d);

		if (!strncmp(d, rel, n) && (d[n] == '\0' || d[n] == '/'))
			return 1;
		if (p->pkgs.v[i][0] == 'P' && m < n && !strncmp(rel, d, m) && rel[m] == '/' &&
		    ign_excluded(&p->ign, d, NULL))
			return 1;
	}
	return 0;
}

/* The walk's filter: the rules of proj.h. */
static int
filter(void *ctx, const char *rel, int dir)
{
	struct proj *p = ctx;
	const char *by;
	int r;

	if (!ign_excluded(&p->ign, rel, &by))
		return 0;
	if (dir) {
		if (ign_below(&p->ign, rel))
			return 0; /* an exception may keep something inside: decide per file */
		if ((r = needed_dir(p, rel)) != 0)
			return r < 0 ? -1 : 0;
	} else if (proj_needed(rel)) {
		return keep(p, rel, by) < 0 ? -1 : 0;
	}
	return strv_add(&p->masked, rel) < 0 ? -1 : 1;
}

int
proj_open(struct proj *p, const char *dir, const struct strv *exclude)
{
	struct buf path = {0};
	char *text;
	size_t len, i;

	memset(p, 0, sizeof(*p));
	p->dir = dir;
	if (buf_fmt(&path, "%s/.dockerignore", dir) < 0)
		goto fail;
	text = file_read(path.s, &len);
	if (!text && errno != ENOENT)
		goto fail;
	if (text && ign_parse(&p->ign, text, len, path.s) < 0) {
		free(text);
		goto fail;
	}
	free(text);
	for (i = 0; exclude && i < exclude->n; i++)
		if (ign_add(&p->ign, exclude->v[i]) < 0) {
			err_wrap("", "LAMBDA_EXCLUDE: ");
			goto fail;
		}
	buf_free(&path);
	return 0;
fail:
	buf_free(&path);
	proj_close(p);
	return -1;
}

int
proj_walk(struct proj *p, const char *root, const struct strv *skip, struct strv *outside,
	  struct strv *out)
{
	strv_free(&p->masked);
	if (walk_files_filter(root, skip, outside, p->ign.n ? filter : NULL, p, out) < 0)
		return -1;
	strv_sort(&p->masked);
	return 0;
}

int
proj_list(const char *dir, const struct strv *exclude, const struct strv *skip,
	  struct strv *out)
{
	struct proj p;
	int rc;

	if (proj_open(&p, dir, exclude) < 0)
		return -1;
	rc = proj_walk(&p, dir, skip, NULL, out);
	proj_close(&p);
	return rc;
}

void
proj_close(struct proj *p)
{
	ign_free(&p->ign);
	strv_free(&p->pkgs);
	strv_free(&p->outside);
	strv_free(&p->kept);
	strv_free(&p->masked);
}
