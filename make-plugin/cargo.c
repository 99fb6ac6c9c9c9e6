/* cargo.c: the workspace model from Cargo.toml files: packages, members, path
 * dependencies (paths: cargo_path.c, targets: cargo_tgt.c, masking: cargo_mask.c). */
#include <stdlib.h>
#include <string.h>

#include "cargo.h"
#include "cargo_priv.h"
#include "path.h"
#include "toml.h"

/* The dependency tables of a manifest (also found under [target.<cfg>]). */
static const char *const dep_tables[] = {
	"dependencies", "dev-dependencies", "dev_dependencies",
	"build-dependencies", "build_dependencies",
};
#define NDEP_TABLES countof(dep_tables)

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

struct cargo_pkg *
cargo_find(const struct cargo_ws *ws, const char *dir)
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
	struct cargo_pkg *p = cargo_find(ws, dir);

	if (p)
		return p - ws->pkg;
	if (GROW(ws->pkg, ws->npkg, ws->cap, 8) < 0)
		return -1;
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
	if (GROW(p->dep, p->ndep, p->dcap, 4) < 0)
		return -1;
	p->dep[p->ndep++] = idx;
	return 0;
}

static int
dep_entry(const struct toml *e, const struct toml *wsdeps, int from_root, int patch,
	  cargo_dep_fn fn, void *arg)
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
	  cargo_dep_fn fn, void *arg)
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
int
cargo_deps_each(const struct toml *doc, const struct toml *wsdeps, cargo_dep_fn fn, void *arg)
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
	if (!cargo_is_file(ws->root, mf.s)) {
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

/* The listed members: explicit ones always, globbed ones unless cargo_excluded. */
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

	if (cargo_want(mf, m, TOML_ARRAY, "workspace.members") < 0 ||
	    cargo_want(mf, l->exclude, TOML_ARRAY, "workspace.exclude") < 0)
		return -1;
	for (i = 0; m && i < m->n; i++) {
		e = m->kid[i];
		if (cargo_want(mf, e, TOML_STRING, "workspace.members item") < 0)
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
			if (buf_adds(&rel, "") < 0 || cargo_glob(ws, &rel, norm.s, &found) < 0)
				goto done;
		}
		for (j = 0; j < found.n; j++) {
			if (!out) {
				if (path_cat(&mfrel, found.v[j], "Cargo.toml") < 0)
					goto done;
				if (!cargo_is_file(ws->root, mfrel.s)) {
					if (glob)
						continue;
					err_set("%s:%d: workspace member '%s': no Cargo.toml in %s",
						mf, e->line, e->str, found.v[j][0] ? found.v[j] : ".");
					goto done;
				}
				if (glob && cargo_excluded(l->exclude, found.v[j]))
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

/* Members reach their path dependencies inside the root, unless cargo_excluded. */
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
				    cargo_excluded(exclude, ws->pkg[d].dir))
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
	if (cargo_mf_name(ws, "", &mf) < 0)
		goto done;
	if (!cargo_is_file(dir, "Cargo.toml")) {
		err_set("%s: no Cargo.toml", dir);
		goto done;
	}
	root = cargo_mf_parse(ws, "", &mf);
	if (!root)
		goto done;
	l.ws = ws;
	l.exclude = toml_get(root, "workspace.exclude");
	l.has_ws = toml_key(root, "workspace") != NULL;
	if (cargo_want(mf.s, toml_key(root, "workspace"), TOML_TABLE, "workspace") < 0)
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
		if (cargo_deps_each(root, NULL, load_dep, &l) < 0)
			goto done;
	}
	/* the queue grows while path dependencies are found */
	for (i = 0; i < ws->npkg; i++) {
		struct cargo_pkg *p = &ws->pkg[i];
		const struct toml *d = root;

		if (p->dir[0]) {
			toml_free(doc);
			doc = cargo_mf_parse(ws, p->dir, &mf);
			if (!doc)
				goto done;
			d = doc;
			/* a nested [workspace] is its own root, never our member */
			p->nested_ws = toml_key(doc, "workspace") != NULL;
		} else if (cargo_mf_name(ws, "", &mf) < 0) {
			goto done;
		}
		if (cargo_pkg_read(ws, p, d, root, mf.s) < 0)
			goto done;
		l.cur = i;
		l.mfname = mf.s;
		if (cargo_deps_each(d, toml_get(root, "workspace.dependencies"), load_dep, &l) < 0)
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

int
cargo_profile_keys(const char *dir, const char *profile, struct strv *out)
{
	struct buf path = {0}, key = {0};
	struct toml *doc = NULL, *t;
	char *text = NULL;
	size_t len, i;
	int rc = -1;

	if (buf_fmt(&path, "%s/Cargo.toml", dir) < 0 || buf_fmt(&key, "profile.%s", profile) < 0 ||
	    !(text = file_read(path.s, &len)) || !(doc = toml_parse(text, len, path.s)))
		goto done;
	t = toml_get(doc, key.s);
	/* only keys that can be a default's: a quoted "odd key" is none of ours */
	for (i = 0; t && t->type == TOML_TABLE && i < t->n; i++)
		if (strspn(t->kid[i]->key, "abcdefghijklmnopqrstuvwxyz0123456789_-") ==
			    strlen(t->kid[i]->key) &&
		    strv_add(out, t->kid[i]->key) < 0)
			goto done;
	rc = 0;
done:
	toml_free(doc);
	free(text);
	buf_free(&path);
	buf_free(&key);
	return rc;
}
