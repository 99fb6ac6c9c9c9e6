/* vlock.c: vendored crates the lock file needs (see vlock.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "path.h"
#include "toml.h"
#include "vlock.h"

#define NCONF 2
static const char *const conf_names[NCONF] = {".cargo/config.toml", ".cargo/config"};

/* The project's config files, parsed (absent ones are NULL). */
struct confs {
	struct toml *doc[NCONF];
	char *name[NCONF];
};

static void
confs_free(struct confs *c)
{
	for (int i = 0; i < NCONF; i++) {
		toml_free(c->doc[i]);
		free(c->name[i]);
	}
}

static int
confs_load(const char *dir, struct confs *c)
{
	struct buf p = {0};
	struct stat st;
	char *text;
	size_t len;

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < NCONF; i++) {
		p.len = 0;
		if (buf_fmt(&p, "%s/%s", dir, conf_names[i]) < 0)
			goto fail;
		if (stat(p.s, &st) < 0)
			continue;
		if (!(text = file_read(p.s, &len)))
			goto fail;
		c->doc[i] = toml_parse(text, len, p.s);
		free(text);
		if (!c->doc[i])
			goto fail;
		c->name[i] = buf_take(&p);
	}
	buf_free(&p);
	return 0;
fail:
	buf_free(&p);
	confs_free(c);
	return -1;
}

/* The [source.NAME] table, the first config that has it (cargo merges them). */
static const struct toml *
source(const struct confs *c, const char *name, int *which)
{
	const struct toml *t;

	for (int i = 0; i < NCONF; i++) {
		t = c->doc[i] ? toml_key(toml_key(c->doc[i], "source"), name) : NULL;
		if (t && t->type == TOML_TABLE) {
			*which = i;
			return t;
		}
	}
	return NULL;
}

/* Follow replace-with from the source table t to a directory source; its
 * directory (as written) and table name, or NULL. */
static const char *
replaced_dir(const struct confs *c, const struct toml *t, const char **dname, int *which)
{
	const char *to;
	int hops;

	for (hops = 0; t && hops < 8; hops++) {
		const char *d = toml_str(t, "directory");

		if (d)
			return hops ? d : NULL; /* a directory source itself replaces nothing */
		if (!(to = toml_str(t, "replace-with")))
			return NULL;
		*dname = to;
		t = source(c, to, which);
	}
	return NULL;
}

/* Does the lock file's source string lk come from the source table named sname? */
static int
source_matches(const struct toml *t, const char *sname, const char *lk)
{
	const char *u;
	size_t n;

	if (!strcmp(sname, "crates-io"))
		return !strcmp(lk, "registry+https://github.com/rust-lang/crates.io-index") ||
		       !strcmp(lk, "sparse+https://index.crates.io/");
	if ((u = toml_str(t, "registry")))
		return !strncmp(lk, "registry+", 9) ? !strcmp(lk + 9, u) : !strcmp(lk, u);
	if ((u = toml_str(t, "git")) && !strncmp(lk, "git+", 4)) {
		n = strlen(u);
		return !strncmp(lk + 4, u, n) && (lk[4 + n] == '\0' || lk[4 + n] == '?' ||
						  lk[4 + n] == '#');
	}
	return 0;
}

/* Is dir/vdir/NAME or dir/vdir/NAME-VERSION a directory? */
static int
vendored(const char *dir, const char *vdir, const char *name, const char *ver)
{
	struct buf p = {0};
	struct stat st;
	int ok;

	if (path_norm("", vdir, &p) != 0)
		return 1; /* vendor_dirs reports an outside directory */
	{
		struct buf q = {0};

		ok = buf_fmt(&q, "%s/%s/%s", dir, p.s, name) == 0 && stat(q.s, &st) == 0 &&
		     S_ISDIR(st.st_mode);
		q.len = 0;
		if (!ok && ver)
			ok = buf_fmt(&q, "%s/%s/%s-%s", dir, p.s, name, ver) == 0 &&
			     stat(q.s, &st) == 0 && S_ISDIR(st.st_mode);
		buf_free(&q);
	}
	buf_free(&p);
	return ok;
}

/* The check of one lock file package entry against every replaced source. */
static int
check_pkg(const char *dir, const struct confs *c, const struct toml *pkg, const char *lock)
{
	const char *name = toml_str(pkg, "name"), *ver = toml_str(pkg, "version");
	const char *lk = toml_str(pkg, "source");

	if (!name || !lk)
		return 0; /* a path crate of the workspace: no source */
	for (int i = 0; i < NCONF; i++) {
		const struct toml *srcs = c->doc[i] ? toml_key(c->doc[i], "source") : NULL;

		for (size_t j = 0; srcs && srcs->type == TOML_TABLE && j < srcs->n; j++) {
			const struct toml *t = srcs->kid[j];
			const char *dname = NULL, *d;
			int w = i;

			if (t->type != TOML_TABLE || !source_matches(t, t->key, lk))
				continue;
			if (!(d = replaced_dir(c, t, &dname, &w)))
				return 0; /* not replaced by a directory: fetched */
			if (vendored(dir, d, name, ver))
				return 0;
			err_set("%s: package '%s %s' (%s) is missing from the vendored directory "
				"'%s' ([source.%s] of %s): run 'cargo vendor' again and keep all of "
				"its output", lock, name, ver ? ver : "?", lk, d, dname, c->name[w]);
			return -1;
		}
	}
	return 0;
}

int
vlock_check(const char *dir)
{
	struct confs c;
	struct buf lock = {0};
	struct toml *doc = NULL;
	const struct toml *pkgs;
	struct stat st;
	char *text = NULL;
	size_t len, i;
	int rc = -1;

	if (confs_load(dir, &c) < 0)
		return -1;
	if (!c.doc[0] && !c.doc[1]) {
		rc = 0;
		goto out;
	}
	if (buf_fmt(&lock, "%s/Cargo.lock", dir) < 0)
		goto out;
	if (stat(lock.s, &st) < 0) {
		rc = 0; /* cargo resolves afresh: nothing to hold it against */
		goto out;
	}
	if (!(text = file_read(lock.s, &len)) || !(doc = toml_parse(text, len, lock.s)))
		goto out;
	pkgs = toml_key(doc, "package");
	for (i = 0; pkgs && pkgs->type == TOML_ARRAY && i < pkgs->n; i++)
		if (check_pkg(dir, &c, pkgs->kid[i], lock.s) < 0)
			goto out;
	rc = 0;
out:
	free(text);
	toml_free(doc);
	buf_free(&lock);
	confs_free(&c);
	return rc;
}
