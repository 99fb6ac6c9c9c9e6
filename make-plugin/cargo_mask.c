/* cargo_mask.c: the manifest layer: which files it holds, and own-version masking,
 * which keeps the dependency layer's key stable when only own versions change. */
#include <stdlib.h>
#include <string.h>

#include "cargo.h"
#include "cargo_priv.h"
#include "path.h"
#include "toml.h"

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
	if (!v || v->type != TOML_STRING)
		return 0;
	if (GROW(m->e, m->n, m->cap, 8) < 0)
		return -1;
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
	const struct cargo_pkg *p = cargo_find(ws, dir);

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
	if (cargo_deps_each(doc, NULL, mask_dep, &m) < 0)
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
	else if (!strcmp(base, "Cargo.toml") && (!dir.len || cargo_find(ws, dir.s)))
		rc = mask_manifest(ws, dir.s, path.s, text, len, out);
	else
		rc = buf_addn(out, text, len);
done:
	free(text);
	buf_free(&path);
	buf_free(&dir);
	return rc;
}
