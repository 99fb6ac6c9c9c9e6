/* tdir.c: the configured target dir inside a project (see tdir.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "path.h"
#include "tdir.h"
#include "toml.h"

/* build.target-dir of dir/NAME into out (as written); 0 with out empty if none. */
static int
config_value(const char *dir, const char *name, struct buf *out)
{
	struct buf p = {0};
	struct toml *doc = NULL;
	const struct toml *v;
	struct stat st;
	char *text = NULL;
	size_t len;
	int rc = -1;

	out->len = 0;
	if (buf_fmt(&p, "%s/%s", dir, name) < 0)
		return -1;
	if (stat(p.s, &st) < 0) {
		rc = 0;
		goto out;
	}
	if (!(text = file_read(p.s, &len)) || !(doc = toml_parse(text, len, p.s)))
		goto out;
	v = toml_get(doc, "build.target-dir");
	if (v && v->type != TOML_STRING) {
		err_set("%s: build.target-dir must be a string", p.s);
		goto out;
	}
	rc = v ? buf_adds(out, v->str) : 0;
out:
	toml_free(doc);
	free(text);
	buf_free(&p);
	return rc;
}

/* t (absolute, or relative to base) as a path relative to the project at dir, in
 * rel; 0 if it lies inside (and is not dir itself), 1 otherwise. */
static int
inside(const char *dir, const char *base, const char *t, struct buf *rel)
{
	struct buf abs = {0}, nt = {0}, nd = {0};
	char *rd = realpath(dir, NULL);
	int rc = 1;

	if (!rd)
		return 1;
	if (t[0] == '/' ? buf_adds(&abs, t) < 0 : buf_fmt(&abs, "%s/%s", base, t) < 0)
		goto out;
	/* both lexically normalized below "/" */
	if (path_norm("", abs.s + (abs.s[0] == '/'), &nt) != 0 ||
	    path_norm("", rd + 1, &nd) != 0)
		goto out;
	if (nd.len && (strncmp(nt.s, nd.s, nd.len) || nt.s[nd.len] != '/'))
		goto out;
	if (!nt.s[nd.len])
		goto out;
	rel->len = 0;
	if (buf_adds(rel, nt.s + nd.len + (nd.len ? 1 : 0)) == 0)
		rc = 0;
out:
	free(rd);
	buf_free(&abs);
	buf_free(&nt);
	buf_free(&nd);
	return rc;
}

int
tdir_add(const char *dir, struct strv *skip)
{
	const char *env = getenv("CARGO_TARGET_DIR");
	struct buf v = {0}, rel = {0}, base = {0};
	char *cwd = NULL;
	int rc = -1;

	if (env && *env) {
		/* relative to where cargo would run: the current directory */
		if (!(cwd = getcwd(NULL, 0))) {
			err_sys("getcwd");
			goto out;
		}
		if (buf_adds(&v, env) < 0 || buf_adds(&base, cwd) < 0)
			goto out;
	} else {
		/* relative to the directory above .cargo: the project */
		if (config_value(dir, ".cargo/config.toml", &v) < 0 ||
		    (!v.len && config_value(dir, ".cargo/config", &v) < 0))
			goto out;
		if (!(cwd = realpath(dir, NULL))) {
			err_sys("%s", dir);
			goto out;
		}
		if (buf_adds(&base, cwd) < 0)
			goto out;
	}
	rc = 0;
	if (v.len && inside(dir, base.s, v.s, &rel) == 0 && strv_add(skip, rel.s) < 0)
		rc = -1;
	strv_sort(skip);
out:
	free(cwd);
	buf_free(&v);
	buf_free(&rel);
	buf_free(&base);
	return rc;
}
