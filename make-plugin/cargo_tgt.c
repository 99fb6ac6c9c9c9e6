/* cargo_tgt.c: target discovery: what cargo builds from one manifest (lib, bins
 * explicit and found in src/bin, build script, examples, tests, benches), and which
 * bins the default features leave off. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cargo.h"
#include "cargo_priv.h"
#include "path.h"
#include "toml.h"

/* Add a target; rel is relative to the package dir. */
int
cargo_target_add(struct cargo_pkg *p, enum cargo_kind kind, const char *name, const char *rel)
{
	struct cargo_target *t;
	struct buf path = {0};

	if (GROW(p->tgt, p->ntgt, p->tcap, 4) < 0)
		return -1;
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

/* v absent or of the wanted type; anything else is an error naming the line. */
int
cargo_want(const char *mf, const struct toml *v, enum toml_type type, const char *what)
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
	struct buf dir = {0}, rel = {0}, full = {0};
	struct strv ents = {0};
	struct dirent *e;
	DIR *d = NULL;
	size_t i, n;
	int rs, rc = -1;

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
		rs = n > 3 && !strcmp(ents.v[i] + n - 3, ".rs");
		if ((!rs && buf_adds(&rel, "/main.rs") < 0) || path_cat(&full, pkgdir, rel.s) < 0)
			goto done;
		if (!cargo_is_file(ws->root, full.s))
			continue;
		if (rs)
			ents.v[i][n - 3] = '\0';
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
	buf_free(&full);
	return rc;
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
		if (cargo_want(mf, name, TOML_STRING, "name") < 0 ||
		    cargo_want(mf, path, TOML_STRING, "path") < 0)
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
			    cargo_pkg_file(ws, p, "src/main.rs")) {
				if (buf_adds(&rel, "src/main.rs") < 0)
					goto done;
			} else {
				if (buf_fmt(&rel, "%s/%s/main.rs", dir, name->str) < 0)
					goto done;
				if (!cargo_pkg_file(ws, p, rel.s)) {
					rel.len = 0;
					if (buf_fmt(&rel, "%s/%s.rs", dir, name->str) < 0)
						goto done;
				}
			}
		}
		if (cargo_target_add(p, kind, name->str, rel.s) < 0)
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
int
cargo_pkg_read(struct cargo_ws *ws, struct cargo_pkg *p, const struct toml *doc,
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
	if (cargo_want(mf, pk, TOML_TABLE, "package") < 0)
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
	if (cargo_want(mf, lib, TOML_TABLE, "lib") < 0)
		return -1;
	v = toml_key(pk, "autolib");
	if (cargo_want(mf, v, TOML_BOOL, "package.autolib") < 0)
		return -1;
	autolib = v ? (int)v->i : 1;
	if (lib) {
		v = toml_key(lib, "path");
		if (cargo_want(mf, v, TOML_STRING, "lib.path") < 0)
			return -1;
		if (cargo_target_add(p, CARGO_LIB, NULL, v ? v->str : "src/lib.rs") < 0)
			return -1;
	} else if (autolib && cargo_pkg_file(ws, p, "src/lib.rs")) {
		if (cargo_target_add(p, CARGO_LIB, NULL, "src/lib.rs") < 0)
			return -1;
	}

	/* bins: explicit ones, then the discovered ones they do not shadow */
	if (explicit_targets(ws, p, doc, mf, "bin", CARGO_BIN, "src/bin", &bnames,
			     &bpaths) < 0)
		goto done;
	v = toml_key(pk, "autobins");
	if (cargo_want(mf, v, TOML_BOOL, "package.autobins") < 0)
		goto done;
	/* edition 2015 turns discovery off once any [[bin]] is declared */
	autobins = v ? (int)v->i : !(bnames.n && !strcmp(edition, "2015"));
	if (autobins) {
		if (cargo_pkg_file(ws, p, "src/main.rs") && (strv_add(&inames, p->name) < 0 ||
							    strv_add(&ipaths, "src/main.rs") < 0))
			goto done;
		if (scan_bin_dir(ws, p->dir, &inames, &ipaths) < 0)
			goto done;
		for (i = 0; i < inames.n; i++) {
			if (path_cat(&full, p->dir, ipaths.v[i]) < 0)
				goto done;
			if (strv_has(&bnames, inames.v[i]) || strv_has(&bpaths, full.s))
				continue;
			if (cargo_target_add(p, CARGO_BIN, inames.v[i], ipaths.v[i]) < 0)
				goto done;
		}
	}

	/* build script */
	v = toml_key(pk, "build");
	if (v && v->type == TOML_STRING) {
		if (cargo_target_add(p, CARGO_BUILD, NULL, v->str) < 0)
			goto done;
	} else if (v && v->type != TOML_BOOL) {
		err_set("%s:%d: package.build: expected a string or a boolean", mf, v->line);
		goto done;
	} else if (v ? v->i != 0 : cargo_pkg_file(ws, p, "build.rs")) {
		if (cargo_target_add(p, CARGO_BUILD, NULL, "build.rs") < 0)
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
