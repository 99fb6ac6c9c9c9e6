#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctx.h"
#include "dirs.h"
#include "hash.h"
#include "mhash.h"
#include "proj.h"
#include "quote.h"
#include "step.h"
#include "vendor.h"
#include "layout.h"
#include "tdir.h"
#include "walk.h"

static int
add_line(struct strv *lines, const char *kind, const char *name, const char *value)
{
	struct buf b = {0};
	int rc;

	rc = buf_fmt(&b, "%s\t%s\t%s", kind, name, value) < 0 ? -1 : strv_add(lines, b.s);
	buf_free(&b);
	return rc;
}

/* The stage whose key a stage's inputs include, or NULL; runtime reads what build made. */
static const char *
step_norm(const char *stage, const char **prev)
{
	static const char *const order[] = {"base", "deps", "build"};
	size_t i;

	if (!strcmp(stage, "runtime"))
		stage = "build";
	/* the dev container's build: the whole tree and its settings, no stage before */
	if (!strcmp(stage, "dev")) {
		*prev = NULL;
		return "dev";
	}
	for (i = 0; i < 3; i++)
		if (!strcmp(stage, order[i])) {
			*prev = i ? order[i - 1] : NULL;
			return order[i];
		}
	err_set("unknown stage '%.40s' (valid: base, deps, build, runtime, dev)", stage);
	return NULL;
}

/* The source files a stage reads: the project's as every walk of it lists them
 * (proj.h: not what exclude patterns or skip name) and the outside path
 * dependencies' files, named from the project; their key lines into lines. */
static int
source_lines(const struct cmd_env *e, const struct strv *skip, const struct layout *lo,
	     struct strv *lines)
{
	struct strv files = {0};
	struct buf p = {0};
	size_t i;
	int rc = -1;

	if (proj_list(e->dir, &e->cfg.exclude, skip, &files) < 0 ||
	    hash_list_lines(e->dir, &files, "file", "", lines) < 0)
		goto out;
	for (i = 0; i < lo->outer.n; i++) {
		p.len = 0;
		if (buf_fmt(&p, "%s/%s", e->dir, lo->outer.v[i]) < 0 ||
		    hash_tree_lines_at(p.s, NULL, "file", lo->outer.v[i], lines) < 0)
			goto out;
	}
	rc = 0;
out:
	strv_free(&files);
	buf_free(&p);
	return rc;
}

/* What a dev build reads: every file of the tree but a configured target dir
 * (vendored directories by their checksum files), the outside path
 * dependencies' files, and the settings dev-container.sh gets. */
static int
dev_inputs(const struct cmd_env *e, struct strv *lines)
{
	struct strv vdirs = {0}, skip = {0};
	struct layout lo = {0};
	struct buf v = {0}, p = {0};
	char key[HASH_HEX + 1];
	struct stat st;
	size_t i;
	int rc = -1;

	if (vendor_dirs(e->dir, &vdirs) < 0)
		goto out;
	for (i = 0; i < vdirs.n; i++)
		if (strv_add(&skip, vdirs.v[i]) < 0)
			goto out;
	if (tdir_add(e->dir, &skip) < 0 || layout_load(e->dir, &lo) < 0)
		goto out;
	/* what .dockerignore/LAMBDA_EXCLUDE exclude is masked in the dev container
	 * (dev-container.sh --mask), so in this key neither */
	if (source_lines(e, &skip, &lo, lines) < 0)
		goto out;
	for (i = 0; i < vdirs.n; i++) {
		struct strv one = {0};

		if (strv_add(&one, vdirs.v[i]) < 0 || vendor_tree_sig(e->dir, &one, key) < 0 ||
		    add_line(lines, "vendor", vdirs.v[i], key) < 0) {
			strv_free(&one);
			goto out;
		}
		strv_free(&one);
	}
	if (add_line(lines, "setting", "LAMBDA_BASE_IMAGE", e->base_image) < 0 ||
	    add_line(lines, "setting", "LAMBDA_CONTAINER", e->cfg.container) < 0 ||
	    add_line(lines, "setting", "LAMBDA_CARGO_HOME", e->cargo_home ? e->cargo_home : "") < 0 ||
	    strv_join(&e->cfg.cargo_flags, &v) < 0 ||
	    add_line(lines, "setting", "LAMBDA_CARGO_FLAGS", v.s ? v.s : "") < 0)
		goto out;
	v.len = 0;
	if (strv_join(&e->bins, &v) < 0 ||
	    add_line(lines, "setting", "LAMBDA_FUNCTIONS", v.s ? v.s : "") < 0)
		goto out;
	if (e->cargo_home && *e->cargo_home) {
		p.len = 0;
		if (buf_fmt(&p, "%s/config.toml", e->cargo_home) < 0)
			goto out;
		if (stat(p.s, &st) == 0 &&
		    (hash_file_hex(p.s, key) < 0 ||
		     add_line(lines, "file", "LAMBDA_CARGO_HOME/config.toml", key) < 0))
			goto out;
	}
	rc = 0;
out:
	layout_free(&lo);
	strv_free(&vdirs);
	strv_free(&skip);
	buf_free(&v);
	buf_free(&p);
	return rc;
}

int
step_inputs(const struct cmd_env *e, const char *stage, unsigned arch, struct strv *lines)
{
	struct buf p = {0}, v = {0};
	struct strv vdirs = {0};
	struct layout lo = {0};
	char key[HASH_HEX + 1];
	const char *prev;
	struct stat st;
	size_t i;
	int rc = -1;

	if (!(stage = step_norm(stage, &prev)))
		return -1;
	if (prev && (step_key(e, prev, arch, key) < 0 || add_line(lines, "stage", prev, key) < 0))
		return -1;
	if (add_line(lines, "setting", "target", cfg_triple(arch)) < 0)
		return -1;
	if (!strcmp(stage, "base")) {
		/* the runtime picks the glibc the image links for (al2: 2.26) */
		if (add_line(lines, "setting", "LAMBDA_BASE_IMAGE", e->base_image) < 0 ||
		    add_line(lines, "setting", "LAMBDA_RUNTIME",
			     cfg_runtime_name(e->cfg.runtime)) < 0 ||
		    buf_fmt(&p, "%s/docker/Dockerfile", e->home) < 0 || hash_file_hex(p.s, key) < 0)
			goto out;
		if (add_line(lines, "file", "lambda-make's Dockerfile", key) < 0)
			goto out;
		/* the helpers the base stage copies in (tools/ of the context) */
		p.len = 0;
		if (buf_fmt(&p, "%s/" CTX_TOOLS, e->home) < 0 ||
		    hash_tree_lines_at(p.s, NULL, "file", "tools", lines) < 0)
			goto out;
	} else if (!strcmp(stage, "deps")) {
		if (vendor_dirs(e->dir, &vdirs) < 0)
			goto out;
		for (i = 0; i < vdirs.n; i++) {
			struct strv one = {0};

			if (strv_add(&one, vdirs.v[i]) < 0 ||
			    vendor_tree_sig(e->dir, &one, key) < 0 ||
			    add_line(lines, "vendor", vdirs.v[i], key) < 0) {
				strv_free(&one);
				goto out;
			}
			strv_free(&one);
		}
		/* a monorepo's layout decides where the build runs (layout.h) */
		if (layout_load(e->dir, &lo) < 0 ||
		    (*lo.prefix && add_line(lines, "setting", "layout", lo.prefix) < 0))
			goto out;
		if (mhash_lines(e->dir, &e->cfg.exclude, lines) < 0 || cfg_field(&e->cfg, "cargo_flags", &v) < 0 ||
		    add_line(lines, "setting", "LAMBDA_CARGO_FLAGS", v.s ? v.s : "") < 0 ||
		    add_line(lines, "setting", "SOURCE_DATE_EPOCH", e->epoch) < 0)
			goto out;
		if (e->cargo_home && *e->cargo_home) {
			if (buf_fmt(&p, "%s/config.toml", e->cargo_home) < 0)
				goto out;
			if (stat(p.s, &st) == 0 &&
			    (hash_file_hex(p.s, key) < 0 ||
			     add_line(lines, "file", "LAMBDA_CARGO_HOME/config.toml", key) < 0))
				goto out;
		}
	} else if (!strcmp(stage, "dev")) {
		if (dev_inputs(e, lines) < 0)
			goto out;
	} else {
		if (vendor_dirs(e->dir, &vdirs) < 0 || tdir_add(e->dir, &vdirs) < 0 ||
		    layout_load(e->dir, &lo) < 0)
			goto out;
		if (source_lines(e, &vdirs, &lo, lines) < 0)
			goto out;
		if (add_line(lines, "setting", "SOURCE_DATE_EPOCH", e->epoch) < 0)
			goto out;
		if (strv_join(&e->bins, &v) < 0)
			goto out;
		if (add_line(lines, "setting", "LAMBDA_FUNCTIONS", v.s ? v.s : "") < 0)
			goto out;
		v.len = 0;
		if (strv_join(&e->exts, &v) < 0)
			goto out;
		/* absent when empty: keys of projects without extensions stay as they were */
		if (e->exts.n && add_line(lines, "setting", "LAMBDA_EXTENSIONS", v.s) < 0)
			goto out;
	}
	rc = 0;
out:
	layout_free(&lo);
	strv_free(&vdirs);
	buf_free(&p);
	buf_free(&v);
	return rc;
}

int
step_key(const struct cmd_env *e, const char *stage, unsigned arch, char *hex)
{
	struct strv lines = {0};
	struct hash *h;
	const char *prev;
	size_t i;

	if (!(stage = step_norm(stage, &prev)) || step_inputs(e, stage, arch, &lines) < 0 ||
	    !(h = hash_new())) {
		strv_free(&lines);
		return -1;
	}
	hash_record(h, stage, strlen(stage));
	for (i = 0; i < lines.n; i++)
		hash_record(h, lines.v[i], strlen(lines.v[i]));
	strv_free(&lines);
	hash_done(h, hex);
	return 0;
}

int
step_stamp(const struct cmd_env *e, const char *stage, unsigned arch, struct buf *out)
{
	return buf_fmt(out, "%s/" DIRS_STAMPS "/%s-%s", e->dir, stage, cfg_arch_name(arch));
}

/* A package file as the runtime stamp records it: "SIZE MTIME INODE PATH", the
 * format of lambda-stamp.sh (stat -c '%s %Y %i %n'). */
static int
pkg_line(const char *path, struct buf *out)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	return buf_fmt(out, "%lld %lld %llu %s\n", (long long)st.st_size,
		       (long long)st.st_mtime, (unsigned long long)st.st_ino, path) < 0 ? -1 : 1;
}

/* True for the stages whose stamp vouches for files they wrote. */
static int
has_pkgs(const char *stage)
{
	return !strcmp(stage, "runtime") || !strcmp(stage, "dev");
}

/* The files a stage wrote for one arch: runtime,
 * <dir>/target/lambda/<arch>/<bin>/bootstrap{,.zip}; dev,
 * <dir>/target/lambda-dev/<arch>/<bin>/bootstrap; runtime with extensions also
 * extensions/<ext> and extensions.zip beside them. */
static int
pkg_paths(const struct cmd_env *e, const char *stage, unsigned arch, struct strv *out)
{
	struct buf p = {0};
	int dev = !strcmp(stage, "dev");
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < e->bins.n; i++) {
		p.len = 0;
		if (buf_fmt(&p, "%s/%s/%s/%s/bootstrap", e->dir, dev ? DIRS_DEV : DIRS_PKG,
			    cfg_arch_name(arch), e->bins.v[i]) < 0 || strv_add(out, p.s) < 0 ||
		    (!dev && (buf_adds(&p, ".zip") < 0 || strv_add(out, p.s) < 0)))
			rc = -1;
	}
	/* the extensions layer is prod's alone */
	for (i = 0; rc == 0 && !dev && i < e->exts.n; i++) {
		p.len = 0;
		if (buf_fmt(&p, "%s/" DIRS_PKG "/%s/extensions/%s", e->dir, cfg_arch_name(arch),
			    e->exts.v[i]) < 0 || strv_add(out, p.s) < 0)
			rc = -1;
	}
	p.len = 0;
	if (rc == 0 && !dev && e->exts.n &&
	    (buf_fmt(&p, "%s/" DIRS_PKG "/%s/extensions.zip", e->dir, cfg_arch_name(arch)) < 0 ||
	     strv_add(out, p.s) < 0))
		rc = -1;
	buf_free(&p);
	return rc;
}

int
step_fresh(const struct cmd_env *e, const char *stage, unsigned arch, const char *key)
{
	struct buf p = {0}, want = {0};
	struct strv pkgs = {0};
	char *have;
	size_t len, i;
	int fresh = 0, r;

	if (step_stamp(e, stage, arch, &p) < 0)
		return -1;
	have = file_read(p.s, &len);
	/* a missing or malformed stamp is simply stale */
	if (have && len >= HASH_HEX && !memcmp(have, key, HASH_HEX) &&
	    (len == HASH_HEX || have[HASH_HEX] == '\n'))
		fresh = 1;
	/* runtime vouches only for the package files it wrote: each must exist and
	 * be the very file (size, mtime, inode) that the stamp recorded */
	if (fresh && has_pkgs(stage)) {
		if (pkg_paths(e, stage, arch, &pkgs) < 0)
			fresh = -1;
		for (i = 0; fresh == 1 && i < pkgs.n; i++) {
			r = pkg_line(pkgs.v[i], &want);
			if (r <= 0)
				fresh = r;
		}
		if (fresh == 1 && (len != HASH_HEX + 1 + want.len ||
				   memcmp(have + HASH_HEX + 1, want.s, want.len)))
			fresh = 0;
	}
	free(have);
	strv_free(&pkgs);
	buf_free(&want);
	buf_free(&p);
	return fresh;
}

int
step_stamp_cmd(const struct cmd_env *e, const char *stage, unsigned arch, const char *key,
	       struct buf *out)
{
	struct strv argv = {0};
	struct buf p = {0};
	int rc = -1;

	if (buf_fmt(&p, "%s/docker/lambda-stamp.sh", e->home) < 0 || strv_add(&argv, p.s) < 0)
		goto out;
	p.len = 0;
	if (step_stamp(e, stage, arch, &p) < 0 || strv_add(&argv, p.s) < 0 ||
	    strv_add(&argv, key) < 0)
		goto out;
	if (has_pkgs(stage) && pkg_paths(e, stage, arch, &argv) < 0)
		goto out;
	if ((out->len && buf_adds(out, " && ") < 0) ||
	    quote_argv(out, (const char *const *)argv.v, argv.n) < 0)
		goto out;
	/* a failed stage takes back the inputs it recorded: it leaves nothing behind */
	p.len = 0;
	if (step_stamp(e, stage, arch, &p) < 0 || buf_adds(&p, ".inputs.next") < 0 ||
	    buf_adds(out, " || { rc=$?; rm -f -- ") < 0 || quote_sh(out, p.s) < 0 ||
	    buf_adds(out, "; exit \"$rc\"; }") < 0)
		goto out;
	rc = 0;
out:
	strv_free(&argv);
	buf_free(&p);
	return rc;
}

int
step_record(const struct cmd_env *e, const char *stage, unsigned arch)
{
	struct strv lines = {0};
	struct buf p = {0}, text = {0};
	size_t i;
	int rc = -1;

	if (step_inputs(e, stage, arch, &lines) < 0 || step_stamp(e, stage, arch, &p) < 0 ||
	    buf_adds(&p, ".inputs.next") < 0)
		goto out;
	for (i = 0; i < lines.n; i++)
		if (buf_adds(&text, lines.v[i]) < 0 || buf_addc(&text, '\n') < 0)
			goto out;
	{
		char *slash = strrchr(p.s, '/');

		*slash = '\0';
		if (dir_make(p.s) < 0)
			goto out;
		*slash = '/';
	}
	rc = file_write_atomic(p.s, text.s ? text.s : "", text.len, 0644);
out:
	strv_free(&lines);
	buf_free(&p);
	buf_free(&text);
	return rc;
}

/* Split "KIND\tNAME\tVALUE" after NAME: the length of "KIND\tNAME", value in *val. */
static size_t
line_id(const char *s, const char **val)
{
	const char *t = strchr(s, '\t');

	t = t ? strchr(t + 1, '\t') : NULL;
	*val = t ? t + 1 : "";
	return t ? (size_t)(t - s) : strlen(s);
}

static int
line_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b, *vx, *vy;
	size_t nx = line_id(x, &vx), ny = line_id(y, &vy);
	int c = strncmp(x, y, nx < ny ? nx : ny);

	return c ? c : (nx > ny) - (nx < ny);
}

/* How a line's input is named: "the deps stage", "src/main.rs", "LAMBDA_CARGO_FLAGS". */
static int
line_name(struct buf *b, const char *line)
{
	const char *v, *name = strchr(line, '\t') + 1;
	int n = (int)(line_id(line, &v) - (size_t)(name - line));

	return buf_fmt(b, strncmp(line, "stage\t", 6) ? "%.*s" : "the %.*s stage", n, name);
}

/* Compare old and new input lines (both sorted by line_cmp) into out. */
static int
explain_diff(struct strv *old, struct strv *cur, struct buf *out)
{
	size_t i = 0, j = 0, shown = 0, more = 0;
	const char *vo, *vn;
	int c;

	while (i < old->n || j < cur->n) {
		const char *what, *line;

		c = i == old->n ? 1 : j == cur->n ? -1 : line_cmp(&old->v[i], &cur->v[j]);
		if (c < 0) {
			what = " removed", line = old->v[i++];
		} else if (c > 0) {
			what = " added", line = cur->v[j++];
		} else {
			line_id(old->v[i], &vo);
			line_id(cur->v[j], &vn);
			line = cur->v[j];
			i++, j++;
			if (!strcmp(vo, vn))
				continue;
			what = " changed";
		}
		if (shown == 5) {
			more++;
			continue;
		}
		if ((shown++ && buf_adds(out, ",") < 0) || buf_addc(out, ' ') < 0 ||
		    line_name(out, line) < 0 || buf_adds(out, what) < 0)
			return -1;
		if (!strncmp(line, "setting\t", 8) && !strcmp(what, " changed") &&
		    buf_fmt(out, " ('%.60s' -> '%.60s')", vo, vn) < 0)
			return -1;
	}
	if (more && buf_fmt(out, ", and %zu more", more) < 0)
		return -1;
	if (!shown && buf_adds(out, " its record of inputs matches: the stamp is from another "
				    "version of lambda-make or was changed by hand") < 0)
		return -1;
	return 0;
}

int
step_explain(const struct cmd_env *e, const char *stage, unsigned arch, struct buf *out)
{
	struct strv old = {0}, cur = {0};
	struct buf p = {0};
	char key[HASH_HEX + 1], *text = NULL, *s, *nl;
	size_t len;
	int fresh, rc = -1;

	if (step_key(e, stage, arch, key) < 0 || (fresh = step_fresh(e, stage, arch, key)) < 0)
		goto out;
	if (buf_fmt(out, "%s-%s:", stage, cfg_arch_name(arch)) < 0)
		goto out;
	if (fresh) {
		rc = buf_adds(out, " up to date");
		goto out;
	}
	if (step_stamp(e, stage, arch, &p) < 0)
		goto out;
	text = file_read(p.s, &len);
	if (text && len >= HASH_HEX && !memcmp(text, key, HASH_HEX)) {
		rc = !strcmp(stage, "dev")
			? buf_fmt(out, " runs: a bootstrap in " DIRS_DEV "/%s is missing or "
				  "is not the file the last dev build placed", cfg_arch_name(arch))
			: buf_fmt(out, " runs: a package in " DIRS_PKG "/%s is missing or is not "
				  "the file lambda-prod wrote", cfg_arch_name(arch));
		goto out;
	}
	free(text);
	text = NULL;
	if (buf_adds(&p, ".inputs") < 0)
		goto out;
	text = file_read(p.s, &len);
	if (!text) {
		rc = buf_adds(out, " runs: no record of an earlier successful run");
		goto out;
	}
	for (s = text; *s; s = nl + 1) {
		if (!(nl = strchr(s, '\n')))
			break;
		*nl = '\0';
		if (strv_add(&old, s) < 0)
			goto out;
	}
	if (step_inputs(e, stage, arch, &cur) < 0 || buf_adds(out, " runs:") < 0)
		goto out;
	qsort(old.v, old.n, sizeof(*old.v), line_cmp);
	qsort(cur.v, cur.n, sizeof(*cur.v), line_cmp);
	rc = explain_diff(&old, &cur, out);
out:
	free(text);
	strv_free(&old);
	strv_free(&cur);
	buf_free(&p);
	return rc;
}
