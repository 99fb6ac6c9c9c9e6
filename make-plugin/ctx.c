#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "hash.h"
#include "layout.h"
#include "path.h"
#include "ctx.h"
#include "dirs.h"
#include "proj.h"
#include "skel.h"
#include "tdir.h"
#include "vendor.h"
#include "vlock.h"
#include "walk.h"

static int
path_join(struct buf *b, const char *a, const char *c)
{
	b->len = 0;
	return buf_fmt(b, "%s/%s", a, c);
}

/* Copy one file if it differs; 1 if written, 0 if equal, -1 on error. */
static int
mirror_one(const char *from, const char *to, int byname, struct buf *tmp)
{
	struct stat s, d;
	char *data, *slash;
	size_t len;
	int rc, mode;

	if (stat(from, &s) < 0) {
		err_sys("%s", from);
		return -1;
	}
	mode = (s.st_mode & 0111) ? 0755 : 0644;
	if (byname && stat(to, &d) == 0 && d.st_size == s.st_size &&
	    d.st_mtime == s.st_mtime && (d.st_mode & 0777) == (mode_t)mode)
		return 0;
	data = file_read(from, &len);
	if (!data)
		return -1;
	tmp->len = 0;
	if (buf_adds(tmp, to) < 0) {
		free(data);
		return -1;
	}
	slash = strrchr(tmp->s, '/');
	if (slash) {
		*slash = '\0';
		if (dir_make(tmp->s) < 0) {
			free(data);
			return -1;
		}
	}
	rc = file_update(to, data, len, mode);
	free(data);
	if (rc == 1 && byname) {
		/* so the next size+mtime check recognizes the copy */
		struct timespec ts[2] = {s.st_atim, s.st_mtim};

		if (utimensat(AT_FDCWD, to, ts, 0) < 0) {
			err_sys("%s", to);
			return -1;
		}
	}
	return rc;
}

/* Remove the files of dst that src no longer has; count them. */
static int
prune(const char *dst, const struct strv *keep)
{
	struct strv have = {0};
	struct buf p = {0};
	size_t i, j = 0;
	int n = 0;

	if (walk_files(dst, &have) < 0)
		goto fail;
	for (i = 0; i < have.n; i++) {
		while (j < keep->n && strcmp(keep->v[j], have.v[i]) < 0)
			j++;
		if (j < keep->n && !strcmp(keep->v[j], have.v[i]))
			continue;
		if (path_join(&p, dst, have.v[i]) < 0)
			goto fail;
		if (unlink(p.s) < 0) {
			err_sys("%s", p.s);
			goto fail;
		}
		/* drop emptied parent dirs; rmdir fails harmlessly on non-empty ones */
		for (char *s = strrchr(p.s, '/'); s && s > p.s + strlen(dst); s = strrchr(p.s, '/')) {
			*s = '\0';
			if (rmdir(p.s) < 0)
				break;
		}
		n++;
	}
	strv_free(&have);
	buf_free(&p);
	return n;
fail:
	strv_free(&have);
	buf_free(&p);
	return -1;
}

int
ctx_mirror(const char *src, const char *dst, int byname)
{
	return ctx_mirror_skip(src, dst, NULL, NULL, byname);
}

/* One tree of a mirror: its files (minus skip) go to dst/pre; name: how the
 * project reaches it (for the links leading out of it). */
struct tree {
	const char *src, *pre;
	const struct strv *skip;
	const char *name;
	struct proj *pj; /* the project's own tree: its rules apply (proj.h) */
};

/* Mirror the trees into dst, then remove what none of them holds; the symlinks
 * leading out of a tree go to outside, named relative to the first tree's src. */
static int
mirror_trees(const struct tree *t, size_t nt, const char *dst, struct strv *outside,
	     int byname)
{
	struct strv files = {0}, all = {0};
	struct buf from = {0}, to = {0}, tmp = {0}, rel = {0};
	size_t i, k, first;
	int n = 0, r;

	if (dir_make(dst) < 0)
		goto fail;
	for (k = 0; k < nt; k++) {
		strv_free(&files);
		first = outside ? outside->n : 0;
		if ((t[k].pj ? proj_walk(t[k].pj, t[k].src, t[k].skip, outside, &files)
			     : walk_files_links(t[k].src, t[k].skip, outside, &files)) < 0)
			goto fail;
		/* an outer tree's links, named from the project (pre: its place) */
		for (i = first; t[k].name && outside && i < outside->n; i++) {
			rel.len = 0;
			if (buf_fmt(&rel, "%s/%s", t[k].name, outside->v[i]) < 0)
				goto fail;
			free(outside->v[i]);
			outside->v[i] = buf_take(&rel);
			if (!outside->v[i]) {
				err_set("out of memory");
				goto fail;
			}
		}
		for (i = 0; i < files.n; i++) {
			if (path_cat(&rel, t[k].pre, files.v[i]) < 0 ||
			    path_join(&from, t[k].src, files.v[i]) < 0 ||
			    path_join(&to, dst, rel.s) < 0 || strv_add(&all, rel.s) < 0)
				goto fail;
			r = mirror_one(from.s, to.s, byname, &tmp);
			if (r < 0)
				goto fail;
			n += r;
		}
	}
	strv_sort(&all);
	r = prune(dst, &all);
	if (r < 0)
		goto fail;
	n += r;
	goto out;
fail:
	n = -1;
out:
	strv_free(&files);
	strv_free(&all);
	buf_free(&from);
	buf_free(&to);
	buf_free(&tmp);
	buf_free(&rel);
	return n;
}

int
ctx_mirror_skip(const char *src, const char *dst, const struct strv *skip,
		struct strv *outside, int byname)
{
	struct tree t = {src, "", skip, NULL, NULL};

	return mirror_trees(&t, 1, dst, outside, byname);
}

/* A content signature of a vendored cargo home that needs no walk of its files:
 * config.toml plus its vendor/ crates' checksum files (vendor_sig). */
static int
home_sig(const char *home, char *hex)
{
	struct hash *h;
	struct buf p = {0};
	struct stat st;
	int rc = -1;

	h = hash_new();
	if (!h)
		return -1;
	if (buf_fmt(&p, "%s/config.toml", home) < 0)
		goto out;
	if (stat(p.s, &st) == 0 && hash_file(h, p.s) < 0)
		goto out;
	p.len = 0;
	if (buf_fmt(&p, "%s/vendor", home) < 0 || vendor_sig(p.s, h) < 0)
		goto out;
	rc = 0;
out:
	if (rc == 0)
		hash_done(h, hex);
	else
		free(h);
	buf_free(&p);
	return rc;
}

/* Remove path; a path that is not there is fine. */
static int
unlink_quiet(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT) {
		err_sys("%s", path);
		return -1;
	}
	return 0;
}

/* Make dir an empty directory; the number of entries removed. */
static int
empty_dir(const char *dir)
{
	struct strv none = {0};

	return dir_make(dir) < 0 ? -1 : prune(dir, &none);
}

/* Mirror the cargo home unless the last mirror is complete and current: its
 * signature file matches the home's signature, and so does the signature recomputed
 * from the copy (a copy emptied, switched or damaged by hand is redone). The
 * signature is removed before a copy and written after it, so an interrupted or
 * failed copy never looks complete. */
static int
home_sync(const char *home, const char *dst)
{
	char sig[HASH_HEX + 2], have[HASH_HEX + 1];
	struct buf sp = {0};
	struct stat st;
	char *old;
	size_t len;
	int n = -1, known;

	if (stat(home, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set("LAMBDA_CARGO_HOME: '%s' is not a directory (fill it with "
			"lambda-vendor.sh, or leave LAMBDA_CARGO_HOME empty)", home);
		return -1;
	}
	known = home_sig(home, sig) == 0;
	if (buf_fmt(&sp, "%s.sig", dst) < 0)
		return -1;
	if (known) {
		old = file_read(sp.s, &len);
		if (old && len == HASH_HEX + 1 && !memcmp(old, sig, HASH_HEX) &&
		    home_sig(dst, have) == 0 && !memcmp(have, sig, HASH_HEX)) {
			free(old);
			buf_free(&sp);
			return 0;
		}
		free(old);
	}
	if (unlink_quiet(sp.s) < 0)
		goto out;
	n = ctx_mirror(home, dst, 1);
	sig[HASH_HEX] = '\n';
	/* no signature (not a vendored home): always walk */
	if (n >= 0 && known && file_update(sp.s, sig, HASH_HEX + 1, 0644) < 0)
		n = -1;
out:
	buf_free(&sp);
	return n;
}

/* Bring dst (.lambda/ctx/vendor) to hold exactly the vendored directories dirs of
 * project dir, at their relative paths, unless the last copy is complete and
 * current: as for the cargo home, a signature file written last and checked against
 * both the project's vendored crates and the copy's. The signature file lies inside
 * dst, so the deps stage's COPY of it is never an empty layer (the classic builder
 * fails on a layer identical to the one WORKDIR made: "failed to get layer"). */
#define VENDOR_SIG ".lambda-vendor.sig"
static int
vendor_sync(const char *dir, const struct strv *dirs, const char *dst, const char *pre)
{
	char sig[HASH_HEX + 2], have[HASH_HEX + 1];
	struct buf sp = {0}, from = {0}, to = {0}, at = {0};
	struct strv stale = {0}, placed = {0};
	char *old;
	size_t len, i;
	int n = -1, r;

	/* the copy sits at the project's place in the layout: dst/pre */
	if (path_join(&at, dst, pre) < 0)
		goto out;
	for (i = 0; i < dirs->n; i++) {
		if (path_cat(&to, pre, dirs->v[i]) < 0 || strv_add(&placed, to.s) < 0)
			goto out;
	}
	strv_sort(&placed);
	if (vendor_tree_sig(dir, dirs, sig) < 0 || buf_fmt(&sp, "%s/" VENDOR_SIG, dst) < 0)
		goto out;
	old = file_read(sp.s, &len);
	r = old && len == HASH_HEX + 1 && !memcmp(old, sig, HASH_HEX) &&
	    vendor_tree_sig(at.s, dirs, have) == 0 && !memcmp(have, sig, HASH_HEX);
	free(old);
	if (r) {
		n = 0;
		goto out;
	}
	if (unlink_quiet(sp.s) < 0 || dir_make(dst) < 0)
		goto out;
	n = 0;
	for (i = 0; i < dirs->n; i++) {
		from.len = to.len = 0;
		if (buf_fmt(&from, "%s/%s", dir, dirs->v[i]) < 0 ||
		    buf_fmt(&to, "%s/%s", at.s, dirs->v[i]) < 0 ||
		    (r = ctx_mirror(from.s, to.s, 1)) < 0)
			goto fail;
		n += r;
	}
	/* what the walk finds outside the current dirs is no longer vendored */
	if (walk_files_skip(dst, &placed, &stale) < 0)
		goto fail;
	for (i = 0; i < stale.n; i++) {
		if (!strcmp(stale.v[i], VENDOR_SIG))
			continue;
		to.len = 0;
		if (buf_fmt(&to, "%s/%s", dst, stale.v[i]) < 0 || unlink_quiet(to.s) < 0)
			goto fail;
		n++;
	}
	sig[HASH_HEX] = '\n';
	if (file_update(sp.s, sig, HASH_HEX + 1, 0644) < 0)
		goto fail;
	goto out;
fail:
	n = -1;
out:
	strv_free(&stale);
	strv_free(&placed);
	buf_free(&sp);
	buf_free(&from);
	buf_free(&to);
	buf_free(&at);
	return n;
}

/* Give every skeleton file an old mtime derived from its content. Both builders
 * judge context files by metadata, not bytes: BuildKit resends a file only when its
 * size or mtime changed, and the classic builder on a naive-diff storage driver
 * (fuse-overlayfs) decides what a COPY layer changed by size and second-resolution
 * mtime. Equal content gets an equal, stable time (cache hits); different content
 * of the same size gets a different one, and never the time of a real source file. */
static int
skel_times(const char *skel)
{
	struct strv files = {0};
	struct buf p = {0};
	struct stat st;
	struct hash *h;
	char hex[HASH_HEX + 1];
	struct timespec ts[2];
	size_t i;
	int rc = -1;

	if (walk_files(skel, &files) < 0)
		return -1;
	for (i = 0; i < files.n; i++) {
		if (path_join(&p, skel, files.v[i]) < 0 || !(h = hash_new()))
			goto out;
		if (hash_file(h, p.s) < 0) {
			free(h);
			goto out;
		}
		hash_done(h, hex);
		hex[8] = '\0'; /* 30 bits of the digest: 1980 plus up to 34 years */
		ts[0].tv_sec = ts[1].tv_sec =
			315532800 + (time_t)(strtoul(hex, NULL, 16) & 0x3fffffff);
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (stat(p.s, &st) == 0 && st.st_mtim.tv_sec == ts[1].tv_sec &&
		    st.st_mtim.tv_nsec == 0)
			continue;
		if (utimensat(AT_FDCWD, p.s, ts, 0) < 0) {
			err_sys("%s", p.s);
			goto out;
		}
	}
	rc = 0;
out:
	strv_free(&files);
	buf_free(&p);
	return rc;
}

int
ctx_sync(const char *dir, const char *tools, const char *cargo_home, const struct strv *exclude,
	 struct proj *pj)
{
	struct strv *outside = &pj->outside;
	struct strv vdirs = {0}, skip = {0};
	struct layout lo = {0};
	struct tree *t = NULL;
	struct buf p = {0}, *hosts = NULL;
	size_t i;
	int n = 0, r;

	/* a layout that cannot build fails here, before any docker command and
	 * before anything is written */
	if (proj_open(pj, dir, exclude) < 0)
		return -1;
	if (vendor_dirs(dir, &vdirs) < 0 || vlock_check(dir) < 0 ||
	    path_join(&p, dir, DIRS_CTX "/skel") < 0)
		goto fail;
	if ((r = skel_write(dir, p.s, exclude)) < 0 || skel_times(p.s) < 0)
		goto fail;
	n += r;
	/* .lambda/ (just made, with the skeleton) ignores itself in git: nothing in
	 * it belongs in a commit. Written atomically, and only when it differs. */
	if (path_join(&p, dir, DIRS_OWN "/.gitignore") < 0 || file_update(p.s, "*\n", 2, 0644) < 0)
		goto fail;
	/* src/ leaves out the vendored dirs and a configured target dir (tdir.h) */
	for (i = 0; i < vdirs.n; i++)
		if (strv_add(&skip, vdirs.v[i]) < 0)
			goto fail;
	if (tdir_add(dir, &skip) < 0 || layout_load(dir, &lo) < 0)
		goto fail;
	/* the project at its place below the context root, each outside path
	 * dependency at its own (layout.h) */
	if (!(t = calloc(lo.rel.n + 1, sizeof(*t))) || !(hosts = calloc(lo.rel.n + 1, sizeof(*hosts)))) {
		err_set("out of memory");
		goto fail;
	}
	t[0] = (struct tree){dir, lo.prefix, &skip, NULL, pj};
	for (i = 0; i < lo.rel.n; i++) {
		if (path_join(&hosts[i], dir, lo.outer.v[i]) < 0)
			goto fail;
		t[i + 1] = (struct tree){hosts[i].s, lo.rel.v[i], NULL, lo.outer.v[i], NULL};
	}
	if (path_join(&p, dir, DIRS_CTX "/src") < 0 ||
	    (r = mirror_trees(t, lo.rel.n + 1, p.s, outside, 0)) < 0)
		goto fail;
	n += r;
	if (path_join(&p, dir, DIRS_CTX "/vendor") < 0 ||
	    (r = vendor_sync(dir, &vdirs, p.s, lo.prefix)) < 0)
		goto fail;
	n += r;
	/* the image's helper scripts: the same bytes for every project */
	if (path_join(&p, dir, DIRS_CTX "/tools") < 0)
		goto fail;
	if (tools && *tools)
		r = ctx_mirror(tools, p.s, 0);
	else
		r = empty_dir(p.s);
	if (r < 0)
		goto fail;
	n += r;
	if (path_join(&p, dir, DIRS_CTX "/cargo-home") < 0)
		goto fail;
	if (cargo_home && *cargo_home) {
		if ((r = home_sync(cargo_home, p.s)) < 0)
			goto fail;
		n += r;
	} else {
		size_t at = p.len;

		/* the signature goes first: it must never describe an emptied copy */
		if (buf_adds(&p, ".sig") < 0 || unlink_quiet(p.s) < 0)
			goto fail;
		p.s[p.len = at] = '\0';
		if ((r = empty_dir(p.s)) < 0)
			goto fail;
		n += r;
	}
	goto out;
fail:
	n = -1;
	proj_close(pj);
out:
	for (i = 0; hosts && i < lo.rel.n; i++)
		buf_free(&hosts[i]);
	free(hosts);
	free(t);
	layout_free(&lo);
	strv_free(&vdirs);
	strv_free(&skip);
	buf_free(&p);
	return n;
}
