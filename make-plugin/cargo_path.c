/* cargo_path.c: the path helpers of the workspace loader: files below the root,
 * member globs, workspace.exclude, manifest names. */
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cargo.h"
#include "cargo_priv.h"
#include "path.h"
#include "toml.h"

/* Is root/rel a regular file (following links)? */
int
cargo_is_file(const char *root, const char *rel)
{
	struct buf b = {0};
	struct stat st;
	int ok;

	if (path_cat(&b, root, rel) < 0)
		return 0;
	ok = stat(b.s, &st) == 0 && S_ISREG(st.st_mode);
	buf_free(&b);
	return ok;
}

int
cargo_pkg_file(const struct cargo_ws *ws, const struct cargo_pkg *p, const char *rel)
{
	struct buf b = {0};
	int ok;

	if (path_cat(&b, p->dir, rel) < 0)
		return 0;
	ok = cargo_is_file(ws->root, b.s);
	buf_free(&b);
	return ok;
}

/* Display name of the manifest in dir: "ROOT/dir/Cargo.toml". */
int
cargo_mf_name(const struct cargo_ws *ws, const char *dir, struct buf *out)
{
	struct buf rel = {0};
	int rc;

	if (path_cat(&rel, dir, "Cargo.toml") < 0)
		return -1;
	rc = path_cat(out, ws->root, rel.s);
	buf_free(&rel);
	return rc;
}

struct toml *
cargo_mf_parse(const struct cargo_ws *ws, const char *dir, struct buf *name)
{
	struct toml *doc;
	char *text;
	size_t len;

	if (cargo_mf_name(ws, dir, name) < 0)
		return NULL;
	text = file_read(name->s, &len);
	if (!text)
		return NULL;
	doc = toml_parse(text, len, name->s);
	free(text);
	return doc;
}

/* Is dir (relative to the root) below one of workspace.exclude? */
int
cargo_excluded(const struct toml *exclude, const char *dir)
{
	struct buf ex = {0};
	size_t i, n;
	int hit = 0;

	for (i = 0; exclude && i < exclude->n && !hit; i++) {
		if (exclude->kid[i]->type != TOML_STRING)
			continue;
		if (path_norm("", exclude->kid[i]->str, &ex) < 0)
			break;
		n = ex.len;
		hit = n == 0 || (!strncmp(dir, ex.s, n) && (dir[n] == '\0' || dir[n] == '/'));
	}
	buf_free(&ex);
	return hit;
}

/* Expand one member pattern (may hold *, ?, [..] per path component) below the root. */
int
cargo_glob(const struct cargo_ws *ws, struct buf *rel, const char *pat, struct strv *out)
{
	const char *slash = strchr(pat, '/');
	size_t n = slash ? (size_t)(slash - pat) : strlen(pat), keep = rel->len, i;
	struct strv ents = {0};
	struct buf comp = {0}, dir = {0};
	struct dirent *e;
	struct stat st;
	DIR *d = NULL;
	int rc = -1;

	if (n == 0 || (n == 1 && pat[0] == '.')) {
		rc = slash ? cargo_glob(ws, rel, slash + 1, out) : 0;
		if (!slash && rel->len && strv_add(out, rel->s) < 0)
			rc = -1;
		return rc;
	}
	if (buf_addn(&comp, pat, n) < 0)
		goto done;
	if (path_cat(&dir, ws->root, rel->len ? rel->s : ".") < 0)
		goto done;
	if (!strpbrk(comp.s, "*?[")) {
		if (strv_add(&ents, comp.s) < 0)
			goto done;
	} else {
		d = opendir(dir.s);
		if (!d) {
			rc = 0;
			goto done;
		}
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			    fnmatch(comp.s, e->d_name, 0) == 0 && strv_add(&ents, e->d_name) < 0)
				goto done;
		strv_sort(&ents);
	}
	for (i = 0; i < ents.n; i++) {
		if (rel->len && buf_addc(rel, '/') < 0)
			goto done;
		if (buf_adds(rel, ents.v[i]) < 0 || path_cat(&dir, ws->root, rel->s) < 0)
			goto done;
		if (stat(dir.s, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (slash) {
				if (cargo_glob(ws, rel, slash + 1, out) < 0)
					goto done;
			} else if (strv_add(out, rel->s) < 0) {
				goto done;
			}
		}
		rel->len = keep;
		rel->s[keep] = '\0';
	}
	rc = 0;
done:
	rel->len = keep;
	if (rel->s)
		rel->s[keep] = '\0';
	if (d)
		closedir(d);
	strv_free(&ents);
	buf_free(&comp);
	buf_free(&dir);
	return rc;
}
