/* cargo.c: workspace model from Cargo.toml files, and own-version masking. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cargo.h"
#include "path.h"
#include "toml.h"

/* The dependency tables of a manifest (also found under [target.<cfg>]). */
static const char *const dep_tables[] = {
	"dependencies", "dev-dependencies", "dev_dependencies",
	"build-dependencies", "build_dependencies",
};
#define NDEP_TABLES (sizeof(dep_tables) / sizeof(*dep_tables))

/* ---- paths ---- */

/* Is root/rel a regular file (following links)? */
static int
is_file(const char *root, const char *rel)
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

/* ---- the model ---- */

static void
pkg_free(struct cargo_pkg *p)
{
	size_t i;

	for (i = 0; i < p->ntgt; i++) {
		free(p->tgt[i].name);
		free(p->tgt[i].path);
	}
	free(p->tgt);
	free(p->dep);
	free(p->name);
	free(p->version);
	free(p->dir);
}

void
cargo_free(struct cargo_ws *ws)
{
	size_t i;

	if (!ws)
		return;
	for (i = 0; i < ws->npkg; i++)
		pkg_free(&ws->pkg[i]);
	free(ws->pkg);
	free(ws->root);
	free(ws);
}

static struct cargo_pkg *
ws_find(const struct cargo_ws *ws, const char *dir)
{
	size_t i;

	for (i = 0; i < ws->npkg; i++)
		if (!strcmp(ws->pkg[i].dir, dir))
			return &ws->pkg[i];
	return NULL;
}

/* Index of the package in dir, added if new. */
static long
ws_add(struct cargo_ws *ws, const char *dir, int outside)
{
	struct cargo_pkg *p = ws_find(ws, dir);

	if (p)
		return p - ws->pkg;
	if (ws->npkg == ws->cap) {
		size_t cap = ws->cap ? ws->cap * 2 : 8;

		p = realloc(ws->pkg, cap * sizeof(*p));
		if (!p) {
			err_set("out of memory");
			return -1;
		}
		ws->pkg = p;
		ws->cap = cap;
	}
	p = &ws->pkg[ws->npkg];
	memset(p, 0, sizeof(*p));
	p->dir = strdup(dir);
	if (!p->dir) {
		err_set("out of memory");
		return -1;
	}
	p->outside = outside;
	return (long)ws->npkg++;
}

static int
pkg_dep(struct cargo_pkg *p, size_t idx)
{
	size_t i;

	for (i = 0; i < p->ndep; i++)
		if (p->dep[i] == idx)
			return 0;
	if (p->ndep == p->dcap) {
		size_t cap = p->dcap ? p->dcap * 2 : 4, *v;

		v = realloc(p->dep, cap * sizeof(*v));
		if (!v) {
			err_set("out of memory");
			return -1;
		}
		p->dep = v;
		p->dcap = cap;
	}
	p->dep[p->ndep++] = idx;
	return 0;
}

/* Add a target; rel is relative to the package dir. */
static int
pkg_target(struct cargo_pkg *p, enum cargo_kind kind, const char *name, const char *rel)
{
	struct cargo_target *t;
	struct buf path = {0};

	if (p->ntgt == p->tcap) {
		size_t cap = p->tcap ? p->tcap * 2 : 4;

		t = realloc(p->tgt, cap * sizeof(*t));
		if (!t) {
			err_set("out of memory");
			return -1;
		}
		p->tgt = t;
		p->tcap = cap;
	}
	if (path_norm(p->dir, rel, &path) < 0)
		return -1;
	t = &p->tgt[p->ntgt];
	t->kind = kind;
	t->off = 0;
	t->path = buf_take(&path);
	t->name = name ? strdup(name) : NULL;
	if (!t->path || (name && !t->name)) {
		free(t->path);
		free(t->name);
		err_set("out of memory");
		return -1;
	}
	p->ntgt++;
	return 0;
}

/* ---- manifests ---- */

/* Display name of the manifest in dir: "ROOT/dir/Cargo.toml". */
static int
mf_name(const struct cargo_ws *ws, const char *dir, struct buf *out)
{
	struct buf rel = {0};
	int rc;

	if (path_cat(&rel, dir, "Cargo.toml") < 0)
		return -1;
	rc = path_cat(out, ws->root, rel.s);
	buf_free(&rel);
	return rc;
}

static struct toml *
mf_parse(const struct cargo_ws *ws, const char *dir, struct buf *name)
{
	struct toml *doc;
	char *text;
	size_t len;

	if (mf_name(ws, dir, name) < 0)
		return NULL;
	text = file_read(name->s, &len);
	if (!text)
		return NULL;
	doc = toml_parse(text, len, name->s);
	free(text);
	return doc;
}

/* Called for each path dependency: the entry, its path, whether the path is relative
 * to the workspace root (workspace.dependencies) rather than the package, and whether
 * it comes from [patch]/[replace]. */
typedef int (*dep_fn)(void *arg, const struct toml *entry, const char *path,
		      int from_root, int patch);

static int
dep_entry(const struct toml *e, const struct toml *wsdeps, int from_root, int patch,
	  dep_fn fn, void *arg)
{
	const struct toml *w, *p;

	if (e->type != TOML_TABLE)
		return 0;
	p = toml_key(e, "path");
	if (p && p->type == TOML_STRING)
		return fn(arg, e, p->str, from_root, patch);
	w = toml_key(e, "workspace");
	if (wsdeps && w && w->type == TOML_BOOL && w->i) {
		e = toml_key(wsdeps, e->key);
		p = e ? toml_key(e, "path") : NULL;
		if (p && p->type == TOML_STRING)
			return fn(arg, NULL, p->str, 1, patch);
	}
	return 0;
}

static int
dep_table(const struct toml *t, const struct toml *wsdeps, int from_root, int patch,
	  dep_fn fn, void *arg)
{
	size_t i;

	if (!t || t->type != TOML_TABLE)
		return 0;
	for (i = 0; i < t->n; i++)
		if (dep_entry(t->kid[i], wsdeps, from_root, patch, fn, arg) < 0)
			return -1;
	return 0;
}

/* Visit every path dependency of a manifest. wsdeps (the root's
 * [workspace.dependencies]) resolves "workspace = true" entries; NULL skips them. */
static int
deps_each(const struct toml *doc, const struct toml *wsdeps, dep_fn fn, void *arg)
{
	const struct toml *t;
	size_t i, j;

	for (j = 0; j < NDEP_TABLES; j++)
		if (dep_table(toml_key(doc, dep_tables[j]), wsdeps, 0, 0, fn, arg) < 0)
			return -1;
	t = toml_key(doc, "target");
	for (i = 0; t && t->type == TOML_TABLE && i < t->n; i++)
		for (j = 0; j < NDEP_TABLES; j++)
			if (dep_table(toml_key(t->kid[i], dep_tables[j]), wsdeps, 0, 0, fn,
				      arg) < 0)
				return -1;
	if (dep_table(toml_get(doc, "workspace.dependencies"), NULL, 1, 0, fn, arg) < 0)
		return -1;
	t = toml_key(doc, "patch");
	for (i = 0; t && t->type == TOML_TABLE && i < t->n; i++)
		if (dep_table(t->kid[i], NULL, 0, 1, fn, arg) < 0)
			return -1;
	return dep_table(toml_key(doc, "replace"), NULL, 0, 1, fn, arg);
}

/* ---- loading ---- */

struct load {
	struct cargo_ws *ws;
	size_t cur;               /* package being loaded */
	const char *mfname;       /* its manifest, for messages */
	const struct toml *exclude;
	int has_ws;
};

/* Is dir (relative to the root) below one of workspace.exclude? */
static int
excluded(const struct toml *exclude, const char *dir)
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

/* l->cur is the package whose manifest is read, or (size_t)-1 for a virtual root. */
static int
load_dep(void *arg, const struct toml *entry, const char *path, int from_root, int patch)
{
	struct load *l = arg;
	struct cargo_ws *ws = l->ws;
	struct buf dir = {0}, mf = {0};
	int decl = from_root && entry; /* a [workspace.dependencies] declaration */
	int virt = l->cur == (size_t)-1;
	long idx;
	int out, rc = -1;

	out = path_norm(from_root || virt ? "" : ws->pkg[l->cur].dir, path, &dir);
	if (out < 0)
		goto done;
	/* an absolute path cannot keep its place in the build context */
	if (dir.s[0] == '/') {
		err_set("%s: path dependency '%s' is absolute, where the build context cannot "
			"place it: write it relative to the manifest", l->mfname, path);
		goto done;
	}
	if (path_cat(&mf, dir.s, "Cargo.toml") < 0)
		goto done;
	if (!is_file(ws->root, mf.s)) {
		/* cargo reads a declaration only when a member uses it */
		rc = decl ? 0 : -1;
		if (!decl)
			err_set("%s: path dependency '%s': no Cargo.toml in %s: fix the path "
				"or create the crate there", l->mfname, path, dir.len ? dir.s : ".");
		goto done;
	}
	idx = ws_add(ws, dir.s, out);
	if (idx < 0)
		goto done;
	if (patch)
		ws->pkg[idx].keep_version = 1;
	else if (!decl && !virt && (size_t)idx != l->cur &&
		 pkg_dep(&ws->pkg[l->cur], (size_t)idx) < 0)
		goto done;
	rc = 0;
done:
	buf_free(&dir);
	buf_free(&mf);
	return rc;
}

/* v absent or of the wanted type; anything else is an error naming the line. */
static int
want(const char *mf, const struct toml *v, enum toml_type type, const char *what)
{
	if (!v || v->type == type)
		return 0;
	err_set("%s:%d: %s: expected a %s, found a %s", mf, v->line, what,
		toml_type_name(type), toml_type_name(v->type));
	return -1;
}

/* A field that may be inherited with "field.workspace = true". */
static const char *
inherited(const struct toml *pkg, const struct toml *wsdoc, const char *field)
{
	const struct toml *v = toml_key(pkg, field), *w;
	struct buf b = {0};
	const char *s = NULL;

	if (!v)
		return NULL;
	if (v->type == TOML_STRING)
		return v->str;
	w = toml_key(v, "workspace");
	if (v->type == TOML_TABLE && w && w->type == TOML_BOOL && w->i &&
	    buf_fmt(&b, "workspace.package.%s", field) == 0)
		s = toml_str(wsdoc, b.s);
	buf_free(&b);
	return s;
}

/* Bins found in src/bin: x.rs and x/main.rs, as (name, path) pairs. */
static int
scan_bin_dir(const struct cargo_ws *ws, const char *pkgdir, struct strv *names,
	     struct strv *paths)
{
	struct buf dir = {0}, rel = {0};
	struct strv ents = {0};
	struct dirent *e;
	DIR *d = NULL;
	size_t i, n;
	int rc = -1;

	if (path_cat(&rel, pkgdir, "src/bin") < 0 || path_cat(&dir, ws->root, rel.s) < 0)
		goto done;
	d = opendir(dir.s);
	if (!d) {
		rc = 0;
		goto done;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strv_add(&ents, e->d_name) < 0)
			goto done;
	strv_sort(&ents);
	for (i = 0; i < ents.n; i++) {
		n = strlen(ents.v[i]);
		if (path_cat(&rel, "src/bin", ents.v[i]) < 0)
			goto done;
		if (n > 3 && !strcmp(ents.v[i] + n - 3, ".rs")) {
			struct buf full = {0};
			int ok;

			if (path_cat(&full, pkgdir, rel.s) < 0)
				goto done;
			ok = is_file(ws->root, full.s);
			buf_free(&full);
			if (!ok)
				continue;
			ents.v[i][n - 3] = '\0';
		} else {
			struct buf full = {0};
			int ok;

			if (buf_adds(&rel, "/main.rs") < 0 || path_cat(&full, pkgdir, rel.s) < 0)
				goto done;
			ok = is_file(ws->root, full.s);
			buf_free(&full);
			if (!ok)
				continue;
		}
		if (strv_add(names, ents.v[i]) < 0 || strv_add(paths, rel.s) < 0)
			goto done;
	}
	rc = 0;
done:
	if (d)
		closedir(d);
	strv_free(&ents);
	buf_free(&dir);
	buf_free(&rel);
	return rc;
}

static int
pkg_has_file(const struct cargo_ws *ws, const struct cargo_pkg *p, const char *rel)
{
	struct buf b = {0};
	int ok;

	if (path_cat(&b, p->dir, rel) < 0)
		return 0;
	ok = is_file(ws->root, b.s);
	buf_free(&b);
	return ok;
}

/* Add feature f and every feature it enables by name to on ("dep:x" and "x/y"
 * entries enable no feature of this package). */
static int
feature_close(const struct toml *feats, const char *f, struct strv *on)
{
	const struct toml *v = toml_key(feats, f);
	size_t i;

	if (strv_has(on, f))
		return 0;
	if (strv_add(on, f) < 0)
		return -1;
	for (i = 0; v && v->type == TOML_ARRAY && i < v->n; i++)
		if (v->kid[i]->type == TOML_STRING && !strchr(v->kid[i]->str, ':') &&
		    !strchr(v->kid[i]->str, '/') && feature_close(feats, v->kid[i]->str, on) < 0)
			return -1;
	return 0;
}

/* 1 when the [[bin]] e has required-features that the package's default features
 * do not all enable: cargo skips it, so it is not a function; -1 on error. */
static int
bin_off(const struct toml *doc, const struct toml *e, const char *mf)
{
	const struct toml *req = toml_key(e, "required-features");
	struct strv on = {0};
	size_t i;
	int off = 0;

	if (!req)
		return 0;
	if (req->type != TOML_ARRAY) {
		err_set("%s:%d: required-features must be an array of strings", mf, req->line);
		return -1;
	}
	if (feature_close(toml_key(doc, "features"), "default", &on) < 0)
		off = -1;
	for (i = 0; off == 0 && i < req->n; i++)
		if (req->kid[i]->type != TOML_STRING || !strv_has(&on, req->kid[i]->str))
			off = 1;
	strv_free(&on);
	return off;
}

/* The explicit [[example]]/[[test]]/[[bench]]/[[bin]] entries of one kind. */
static int
explicit_targets(const struct cargo_ws *ws, struct cargo_pkg *p, const struct toml *doc,
		 const char *mf, const char *key, enum cargo_kind kind, const char *dir,
		 struct strv *names, struct strv *paths)
{
	const struct toml *arr = toml_key(doc, key), *e, *name, *path;
	struct buf rel = {0};
	size_t i;
	int rc = -1;

	if (!arr)
		return 0;
	if (arr->type != TOML_ARRAY) {
		err_set("%s:%d: '%s' must be an array of tables ([[%s]])", mf, arr->line,
			key, key);
		return -1;
	}
	for (i = 0; i < arr->n; i++) {
		e = arr->kid[i];
		if (e->type != TOML_TABLE) {
			err_set("%s:%d: '%s' must be an array of tables ([[%s]])", mf, e->line,
				key, key);
			goto done;
		}
		name = toml_key(e, "name");
		path = toml_key(e, "path");
		if (want(mf, name, TOML_STRING, "name") < 0 ||
		    want(mf, path, TOML_STRING, "path") < 0)
			goto done;
		if (!name || !name->str[0]) {
			err_set("%s:%d: [[%s]] needs a name", mf, e->line, key);
			goto done;
		}
		rel.len = 0;
		if (path) {
			if (buf_adds(&rel, path->str) < 0)
				goto done;
		} else {
			/* the file cargo would look for; the first that exists wins */
			if (kind == CARGO_BIN && !strcmp(name->str, p->name) &&
			    pkg_has_file(ws, p, "src/main.rs")) {
				if (buf_adds(&rel, "src/main.rs") < 0)
					goto done;
			} else {
				if (buf_fmt(&rel, "%s/%s/main.rs", dir, name->str) < 0)
					goto done;
				if (!pkg_has_file(ws, p, rel.s)) {
					rel.len = 0;
					if (buf_fmt(&rel, "%s/%s.rs", dir, name->str) < 0)
						goto done;
				}
			}
		}
		if (pkg_target(p, kind, name->str, rel.s) < 0)
			goto done;
		if (kind == CARGO_BIN && (p->tgt[p->ntgt - 1].off = bin_off(doc, e, mf)) < 0)
			goto done;
		if (names && (strv_add(names, name->str) < 0 ||
			      strv_add(paths, p->tgt[p->ntgt - 1].path) < 0))
			goto done;
	}
	rc = 0;
done:
	buf_free(&rel);
	return rc;
}

/* name, version and targets of package p from its parsed manifest. */
static int
pkg_read(struct cargo_ws *ws, struct cargo_pkg *p, const struct toml *doc,
	 const struct toml *wsdoc, const char *mf)
{
	const struct toml *pk = toml_key(doc, "package"), *v, *lib;
	struct strv bnames = {0}, bpaths = {0}, inames = {0}, ipaths = {0};
	struct buf full = {0};
	const char *s, *edition;
	int autobins, autolib, rc = -1;
	size_t i;

	if (!pk)
		pk = toml_key(doc, "project");
	if (!pk) {
		err_set("%s: no [package] section", mf);
		return -1;
	}
	if (want(mf, pk, TOML_TABLE, "package") < 0)
		return -1;
	v = toml_key(pk, "name");
	if (!v || v->type != TOML_STRING || !v->str[0]) {
		err_set("%s:%d: package.name must be a non-empty string", mf, pk->line);
		return -1;
	}
	p->name = strdup(v->str);
	s = inherited(pk, wsdoc, "version");
	p->version = s ? strdup(s) : NULL;
	if (!p->name || (s && !p->version)) {
		err_set("out of memory");
		return -1;
	}
	edition = inherited(pk, wsdoc, "edition");
	if (!edition)
		edition = "2015";

	/* lib */
	lib = toml_key(doc, "lib");
	if (want(mf, lib, TOML_TABLE, "lib") < 0)
		return -1;
	v = toml_key(pk, "autolib");
	if (want(mf, v, TOML_BOOL, "package.autolib") < 0)
		return -1;
	autolib = v ? (int)v->i : 1;
	if (lib) {
		v = toml_key(lib, "path");
		if (want(mf, v, TOML_STRING, "lib.path") < 0)
			return -1;
		if (pkg_target(p, CARGO_LIB, NULL, v ? v->str : "src/lib.rs") < 0)
			return -1;
	} else if (autolib && pkg_has_file(ws, p, "src/lib.rs")) {
		if (pkg_target(p, CARGO_LIB, NULL, "src/lib.rs") < 0)
			return -1;
	}

	/* bins: explicit ones, then the discovered ones they do not shadow */
	if (explicit_targets(ws, p, doc, mf, "bin", CARGO_BIN, "src/bin", &bnames,
			     &bpaths) < 0)
		goto done;
	v = toml_key(pk, "autobins");
	if (want(mf, v, TOML_BOOL, "package.autobins") < 0)
		goto done;
	/* edition 2015 turns discovery off once any [[bin]] is declared */
	autobins = v ? (int)v->i : !(bnames.n && !strcmp(edition, "2015"));
	if (autobins) {
		if (pkg_has_file(ws, p, "src/main.rs") && (strv_add(&inames, p->name) < 0 ||
							    strv_add(&ipaths, "src/main.rs") < 0))
			goto done;
		if (scan_bin_dir(ws, p->dir, &inames, &ipaths) < 0)
			goto done;
		for (i = 0; i < inames.n; i++) {
			if (path_cat(&full, p->dir, ipaths.v[i]) < 0)
				goto done;
			if (strv_has(&bnames, inames.v[i]) || strv_has(&bpaths, full.s))
				continue;
			if (pkg_target(p, CARGO_BIN, inames.v[i], ipaths.v[i]) < 0)
				goto done;
		}
	}

	/* build script */
	v = toml_key(pk, "build");
	if (v && v->type == TOML_STRING) {
		if (pkg_target(p, CARGO_BUILD, NULL, v->str) < 0)
			goto done;
	} else if (v && v->type != TOML_BOOL) {
		err_set("%s:%d: package.build: expected a string or a boolean", mf, v->line);
		goto done;
	} else if (v ? v->i != 0 : pkg_has_file(ws, p, "build.rs")) {
		if (pkg_target(p, CARGO_BUILD, NULL, "build.rs") < 0)
			goto done;
	}

	/* declared examples, tests, benches: cargo checks that their files exist */
	if (explicit_targets(ws, p, doc, mf, "example", CARGO_EXAMPLE, "examples", NULL,
			     NULL) < 0 ||
	    explicit_targets(ws, p, doc, mf, "test", CARGO_TEST, "tests", NULL, NULL) < 0 ||
	    explicit_targets(ws, p, doc, mf, "bench", CARGO_BENCH, "benches", NULL, NULL) < 0)
		goto done;
	rc = 0;
done:
	strv_free(&bnames);
	strv_free(&bpaths);
	strv_free(&inames);
	strv_free(&ipaths);
	buf_free(&full);
	return rc;
}

/* Expand one member pattern (may hold *, ?, [..] per path component) below the root. */
static int
glob_dir(const struct cargo_ws *ws, struct buf *rel, const char *pat, struct strv *out)
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
		rc = slash ? glob_dir(ws, rel, slash + 1, out) : 0;
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
				if (glob_dir(ws, rel, slash + 1, out) < 0)
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

/* The listed members: explicit ones always, globbed ones unless excluded. */
static int
load_members(struct load *l, const struct toml *root, const char *mf)
{
	const struct toml *m = toml_get(root, "workspace.members"), *e;
	struct cargo_ws *ws = l->ws;
	struct buf norm = {0}, rel = {0}, mfrel = {0};
	struct strv found = {0};
	size_t i, j;
	long idx;
	int glob, out, rc = -1;

	if (want(mf, m, TOML_ARRAY, "workspace.members") < 0 ||
	    want(mf, l->exclude, TOML_ARRAY, "workspace.exclude") < 0)
		return -1;
	for (i = 0; m && i < m->n; i++) {
		e = m->kid[i];
		if (want(mf, e, TOML_STRING, "workspace.members item") < 0)
			goto done;
		glob = strpbrk(e->str, "*?[") != NULL;
		if (glob && strstr(e->str, "**")) {
			err_set("%s:%d: member pattern '%s': '**' is not supported", mf, e->line,
				e->str);
			goto done;
		}
		out = path_norm("", e->str, &norm);
		if (out < 0)
			goto done;
		strv_free(&found);
		if (out || !glob) {
			if (strv_add(&found, norm.s) < 0)
				goto done;
		} else {
			rel.len = 0;
			if (buf_adds(&rel, "") < 0 || glob_dir(ws, &rel, norm.s, &found) < 0)
				goto done;
		}
		for (j = 0; j < found.n; j++) {
			if (!out) {
				if (path_cat(&mfrel, found.v[j], "Cargo.toml") < 0)
					goto done;
				if (!is_file(ws->root, mfrel.s)) {
					if (glob)
						continue;
					err_set("%s:%d: workspace member '%s': no Cargo.toml in %s",
						mf, e->line, e->str, found.v[j][0] ? found.v[j] : ".");
					goto done;
				}
				if (glob && excluded(l->exclude, found.v[j]))
					continue;
			}
			idx = ws_add(ws, found.v[j], out);
			if (idx < 0)
				goto done;
			ws->pkg[idx].member = 1;
		}
	}
	rc = 0;
done:
	strv_free(&found);
	buf_free(&norm);
	buf_free(&rel);
	buf_free(&mfrel);
	return rc;
}

/* Members reach their path dependencies inside the root, unless excluded. */
static void
spread_members(struct cargo_ws *ws, const struct toml *exclude)
{
	size_t i, j, d;
	int changed = 1;

	while (changed) {
		changed = 0;
		for (i = 0; i < ws->npkg; i++) {
			if (!ws->pkg[i].member)
				continue;
			for (j = 0; j < ws->pkg[i].ndep; j++) {
				d = ws->pkg[i].dep[j];
				if (ws->pkg[d].member || ws->pkg[d].outside || ws->pkg[d].nested_ws ||
				    excluded(exclude, ws->pkg[d].dir))
					continue;
				ws->pkg[d].member = 1;
				changed = 1;
			}
		}
	}
}

int
cargo_load(const char *dir, struct cargo_ws **out)
{
	struct cargo_ws *ws;
	struct toml *root = NULL, *doc = NULL;
	struct buf mf = {0};
	struct load l;
	size_t i;
	long idx;
	int rc = -1;

	*out = NULL;
	ws = calloc(1, sizeof(*ws));
	if (!ws || !(ws->root = strdup(dir))) {
		err_set("out of memory");
		goto done;
	}
	if (mf_name(ws, "", &mf) < 0)
		goto done;
	if (!is_file(dir, "Cargo.toml")) {
		err_set("%s: no Cargo.toml", dir);
		goto done;
	}
	root = mf_parse(ws, "", &mf);
	if (!root)
		goto done;
	l.ws = ws;
	l.exclude = toml_get(root, "workspace.exclude");
	l.has_ws = toml_key(root, "workspace") != NULL;
	if (want(mf.s, toml_key(root, "workspace"), TOML_TABLE, "workspace") < 0)
		goto done;
	ws->virt = !toml_key(root, "package") && !toml_key(root, "project");
	if (ws->virt && !l.has_ws) {
		err_set("%s: neither [package] nor [workspace]", mf.s);
		goto done;
	}
	if (!ws->virt) {
		idx = ws_add(ws, "", 0);
		if (idx < 0)
			goto done;
		ws->pkg[idx].member = 1;
	}
	if (l.has_ws && load_members(&l, root, mf.s) < 0)
		goto done;
	/* a virtual root still declares [workspace.dependencies] and [patch] */
	if (ws->virt) {
		l.cur = (size_t)-1;
		l.mfname = mf.s;
		if (deps_each(root, NULL, load_dep, &l) < 0)
			goto done;
	}
	/* the queue grows while path dependencies are found */
	for (i = 0; i < ws->npkg; i++) {
		struct cargo_pkg *p = &ws->pkg[i];
		const struct toml *d = root;

		if (p->dir[0]) {
			toml_free(doc);
			doc = mf_parse(ws, p->dir, &mf);
			if (!doc)
				goto done;
			d = doc;
			/* a nested [workspace] is its own root, never our member */
			p->nested_ws = toml_key(doc, "workspace") != NULL;
		} else if (mf_name(ws, "", &mf) < 0) {
			goto done;
		}
		if (pkg_read(ws, p, d, root, mf.s) < 0)
			goto done;
		l.cur = i;
		l.mfname = mf.s;
		if (deps_each(d, toml_get(root, "workspace.dependencies"), load_dep, &l) < 0)
			goto done;
	}
	if (l.has_ws)
		spread_members(ws, l.exclude);
	*out = ws;
	ws = NULL;
	rc = 0;
done:
	toml_free(doc);
	toml_free(root);
	buf_free(&mf);
	cargo_free(ws);
	return rc;
}

int
cargo_bins(const char *dir, struct strv *out)
{
	struct cargo_ws *ws;
	struct strv all = {0};
	size_t i, j;
	int rc = -1;

	if (cargo_load(dir, &ws) < 0)
		return -1;
	for (i = 0; i < ws->npkg; i++) {
		if (!ws->pkg[i].member)
			continue;
		for (j = 0; j < ws->pkg[i].ntgt; j++)
			if (ws->pkg[i].tgt[j].kind == CARGO_BIN && !ws->pkg[i].tgt[j].off &&
			    strv_add(&all, ws->pkg[i].tgt[j].name) < 0)
				goto done;
	}
	strv_sort(&all);
	for (i = 0; i < all.n; i++)
		if ((i == 0 || strcmp(all.v[i], all.v[i - 1])) && strv_add(out, all.v[i]) < 0)
			goto done;
	rc = 0;
done:
	strv_free(&all);
	cargo_free(ws);
	return rc;
}

/* ---- the manifest layer ---- */

int
cargo_layer_file(const char *rel)
{
	const char *base = strrchr(rel, '/');
	size_t dlen;

	base = base ? base + 1 : rel;
	if (!strcmp(base, "Cargo.toml") || !strcmp(base, "Cargo.lock") ||
	    !strcmp(base, "rust-toolchain") || !strcmp(base, "rust-toolchain.toml"))
		return 1;
	if (strcmp(base, "config") && strcmp(base, "config.toml"))
		return 0;
	/* .cargo/config*: the parent directory is named .cargo */
	dlen = (size_t)(base - rel);
	return dlen >= 7 && !strncmp(base - 7, ".cargo/", 7) &&
	       (dlen == 7 || base[-8] == '/');
}

/* Edits collected while masking a manifest. */
struct mask {
	const struct cargo_ws *ws;
	const char *dir;
	struct toml_edit *e;
	size_t n, cap;
};

static int
mask_add(struct mask *m, const struct toml *v, const char *text)
{
	struct toml_edit *e;

	if (!v || v->type != TOML_STRING)
		return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;

		e = realloc(m->e, cap * sizeof(*e));
		if (!e) {
			err_set("out of memory");
			return -1;
		}
		m->e = e;
		m->cap = cap;
	}
	m->e[m->n].beg = v->beg;
	m->e[m->n].end = v->end;
	m->e[m->n].text = text;
	m->n++;
	return 0;
}

/* Own crates whose version is masked: loaded, inside the root, not patched in. */
static const struct cargo_pkg *
masked_pkg(const struct cargo_ws *ws, const char *dir)
{
	const struct cargo_pkg *p = ws_find(ws, dir);

	return p && !p->outside && !p->keep_version && p->name ? p : NULL;
}

static int
mask_dep(void *arg, const struct toml *entry, const char *path, int from_root, int patch)
{
	struct mask *m = arg;
	struct buf dir = {0};
	int out, rc = -1;

	(void)patch;
	if (!entry)
		return 0;
	out = path_norm(from_root ? "" : m->dir, path, &dir);
	if (out < 0)
		goto done;
	rc = 0;
	if (!out && masked_pkg(m->ws, dir.s))
		rc = mask_add(m, toml_key(entry, "version"), "\"" CARGO_MASK "\"");
done:
	buf_free(&dir);
	return rc;
}

static int
mask_manifest(const struct cargo_ws *ws, const char *dir, const char *name,
	      const char *text, size_t len, struct buf *out)
{
	struct mask m = {ws, dir, NULL, 0, 0};
	struct toml *doc;
	int rc = -1;

	doc = toml_parse(text, len, name);
	if (!doc)
		return -1;
	if (masked_pkg(ws, dir) &&
	    mask_add(&m, toml_get(doc, "package.version"), "\"" CARGO_MASK "\"") < 0)
		goto done;
	if (!dir[0] &&
	    mask_add(&m, toml_get(doc, "workspace.package.version"), "\"" CARGO_MASK "\"") < 0)
		goto done;
	if (deps_each(doc, NULL, mask_dep, &m) < 0)
		goto done;
	rc = toml_splice(text, len, m.e, m.n, out);
done:
	free(m.e);
	toml_free(doc);
	return rc;
}

static int
is_masked_name(const struct cargo_ws *ws, const char *name)
{
	size_t i;

	for (i = 0; i < ws->npkg; i++)
		if (ws->pkg[i].name && !strcmp(ws->pkg[i].name, name) &&
		    masked_pkg(ws, ws->pkg[i].dir))
			return 1;
	return 0;
}

/* Cargo.lock: own packages (no source) get CARGO_MASK, and so do the "name version"
 * references to them in dependency lists. */
static int
mask_lock(const struct cargo_ws *ws, const char *name, const char *text, size_t len,
	  struct buf *out)
{
	struct mask m = {ws, "", NULL, 0, 0};
	struct toml *doc, *pk, *e, *nm, *ver, *deps;
	struct strv own = {0}, repl = {0};
	struct buf ref = {0};
	size_t i, j;
	int rc = -1;

	doc = toml_parse(text, len, name);
	if (!doc)
		return -1;
	pk = toml_key(doc, "package");
	if (pk && pk->type != TOML_ARRAY)
		pk = NULL;
	for (i = 0; pk && i < pk->n; i++) {
		e = pk->kid[i];
		nm = toml_key(e, "name");
		ver = toml_key(e, "version");
		if (e->type != TOML_TABLE || toml_key(e, "source") || !nm ||
		    nm->type != TOML_STRING || !ver || ver->type != TOML_STRING ||
		    !is_masked_name(ws, nm->str))
			continue;
		ref.len = 0;
		if (buf_fmt(&ref, "%s %s", nm->str, ver->str) < 0 || strv_add(&own, ref.s) < 0 ||
		    mask_add(&m, ver, "\"" CARGO_MASK "\"") < 0)
			goto done;
	}
	for (i = 0; pk && i < pk->n; i++) {
		deps = toml_key(pk->kid[i], "dependencies");
		for (j = 0; deps && deps->type == TOML_ARRAY && j < deps->n; j++) {
			e = deps->kid[j];
			if (e->type != TOML_STRING || !strv_has(&own, e->str) ||
			    strpbrk(e->str, "\"\\"))
				continue;
			ref.len = 0;
			if (buf_adds(&ref, "\"") < 0 ||
			    buf_addn(&ref, e->str, (size_t)(strchr(e->str, ' ') - e->str)) < 0 ||
			    buf_adds(&ref, " " CARGO_MASK "\"") < 0 || strv_add(&repl, ref.s) < 0 ||
			    mask_add(&m, e, repl.v[repl.n - 1]) < 0)
				goto done;
		}
	}
	rc = toml_splice(text, len, m.e, m.n, out);
done:
	free(m.e);
	strv_free(&own);
	strv_free(&repl);
	buf_free(&ref);
	toml_free(doc);
	return rc;
}

int
cargo_layer_read(const struct cargo_ws *ws, const char *rel, struct buf *out)
{
	struct buf path = {0}, dir = {0};
	const char *base = strrchr(rel, '/');
	char *text;
	size_t len;
	int rc = -1;

	if (path_cat(&path, ws->root, rel) < 0)
		return -1;
	text = file_read(path.s, &len);
	if (!text)
		goto done;
	if (buf_addn(&dir, rel, base ? (size_t)(base - rel) : 0) < 0)
		goto done;
	base = base ? base + 1 : rel;
	if (!strcmp(rel, "Cargo.lock"))
		rc = mask_lock(ws, path.s, text, len, out);
	else if (!strcmp(base, "Cargo.toml") && (!dir.len || ws_find(ws, dir.s)))
		rc = mask_manifest(ws, dir.s, path.s, text, len, out);
	else
		rc = buf_addn(out, text, len);
done:
	free(text);
	buf_free(&path);
	buf_free(&dir);
	return rc;
}
