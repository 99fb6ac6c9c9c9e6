/* layout.c: the build context's root and the project's place in it (see layout.h). */
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "path.h"

/* Number of leading "../" components of a normalized relative path. */
static size_t
ups(const char *p)
{
	size_t n = 0;

	while (!strncmp(p, "..", 2) && (p[2] == '/' || p[2] == '\0')) {
		n++;
		p += p[2] ? 3 : 2;
	}
	return n;
}

/* Is a (relative to the same root) b itself or below it? */
static int
within(const char *a, const char *b)
{
	size_t n = strlen(b);

	return !n || (!strncmp(a, b, n) && (a[n] == '/' || a[n] == '\0'));
}

int
layout_map(const struct layout *lo, const char *rel, struct buf *out)
{
	int up = path_norm(lo->prefix, rel, out);

	if (up > 0)
		err_set("'%s' lies above the build context's root", rel);
	return up ? -1 : 0;
}

int
layout_make(const struct cargo_ws *ws, struct layout *lo)
{
	struct strv dirs = {0};
	struct buf b = {0};
	char *real = NULL, *s;
	size_t i, j, up = 0, n;
	int rc = -1;

	memset(lo, 0, sizeof(*lo));
	for (i = 0; i < ws->npkg; i++)
		if (ws->pkg[i].outside) {
			if (strv_add(&dirs, ws->pkg[i].dir) < 0)
				goto out;
			if (ups(ws->pkg[i].dir) > up)
				up = ups(ws->pkg[i].dir);
		}
	if (!up) {
		lo->prefix = strdup("");
		rc = lo->prefix ? 0 : -1;
		if (rc)
			err_set("out of memory");
		goto out;
	}
	/* the project's last `up` path components name it below the common ancestor */
	if (!(real = realpath(ws->root, NULL))) {
		err_sys("%s", ws->root);
		goto out;
	}
	for (s = real + strlen(real), n = 0; n < up && s > real; n++)
		while (--s > real && *s != '/')
			;
	if (n < up || *s != '/' || s == real + strlen(real)) {
		err_set("%s: a path dependency reaches above the file system root", ws->root);
		goto out;
	}
	if (!(lo->prefix = strdup(s + 1))) {
		err_set("out of memory");
		goto out;
	}
	/* by their place below the root, so a crate comes before the crates inside it */
	for (i = 0; i < dirs.n; i++) {
		if (layout_map(lo, dirs.v[i], &b) < 0)
			goto out;
		if (within(lo->prefix, b.s)) {
			err_set("%s: local crate '%s' contains the project itself: make the "
				"crate that holds it the project, or move the crate out",
				ws->root, dirs.v[i]);
			goto out;
		}
		free(dirs.v[i]);
		dirs.v[i] = buf_take(&b);
		if (!dirs.v[i]) {
			err_set("out of memory");
			goto out;
		}
	}
	strv_sort(&dirs);
	for (i = 0; i < dirs.n; i++) {
		/* a crate inside another outside crate comes with it */
		for (j = 0; j < lo->rel.n && !within(dirs.v[i], lo->rel.v[j]); j++)
			;
		if (j < lo->rel.n)
			continue;
		b.len = 0;
		for (n = 0; n < up; n++)
			if (buf_adds(&b, "../") < 0)
				goto out;
		if (buf_adds(&b, dirs.v[i]) < 0 || strv_add(&lo->outer, b.s) < 0 ||
		    strv_add(&lo->rel, dirs.v[i]) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc)
		layout_free(lo);
	strv_free(&dirs);
	buf_free(&b);
	free(real);
	return rc;
}

int
layout_load(const char *dir, struct layout *lo)
{
	struct cargo_ws *ws = NULL;
	int rc;

	memset(lo, 0, sizeof(*lo));
	if (cargo_load(dir, &ws) < 0)
		return -1;
	rc = layout_make(ws, lo);
	cargo_free(ws);
	return rc;
}

void
layout_free(struct layout *lo)
{
	free(lo->prefix);
	lo->prefix = NULL;
	strv_free(&lo->outer);
	strv_free(&lo->rel);
}
