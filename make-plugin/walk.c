#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "dirs.h"
#include "walk.h"

int
strv_add(struct strv *sv, const char *s)
{
	char *d;

	if (GROW(sv->v, sv->n, sv->cap, 16) < 0)
		return -1;
	d = strdup(s);
	if (!d) {
		err_set("out of memory");
		return -1;
	}
	sv->v[sv->n++] = d;
	return 0;
}

int
strv_join(const struct strv *sv, struct buf *out)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if ((i && buf_addc(out, ' ') < 0) || buf_adds(out, sv->v[i]) < 0)
			return -1;
	return 0;
}

static int
strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strv_sort(struct strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), strv_cmp);
}

void
strv_free(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

int
strv_has(const struct strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

int
walk_skipped(const char *name, int top)
{
	/* only the project's own output and state: a vendored cc crate's src/target/ is
	 * source. .aws-sam/ is sam build's output: SAM leaves it out of its scratch copy,
	 * so keeping it out here gives an in-place build and a sam build the same keys */
	if (top && (!strcmp(name, "target") || !strcmp(name, DIRS_OWN) ||
		    !strcmp(name, ".aws-sam")))
		return 1;
	return !strcmp(name, ".git");
}

/* Is rel one of the sorted directory names in skip? */
static int
in_skip(const struct strv *skip, const char *rel)
{
	return skip && skip->n &&
	       bsearch(&rel, skip->v, skip->n, sizeof(*skip->v), strv_cmp) != NULL;
}

/* One walk: the root's length in path, what to skip, where names go. */
struct walk {
	size_t rootlen;
	const struct strv *skip;
	char *real;            /* the root, resolved: links must stay below it */
	struct strv *out, *outside;
	walk_filter *filter;   /* NULL: take everything */
	void *ctx;
};

/* Does the resolved path t lie below (or at) the resolved root? */
static int
below(const char *t, const char *root)
{
	size_t n = strlen(root);

	if (n == 1)
		return 1; /* the root is "/" */
	return !strncmp(t, root, n) && (t[n] == '/' || t[n] == '\0');
}

/* Recurse with path = root/rel; rel is "" at the top. */
static int
walk_dir(struct buf *path, struct walk *w)
{
	DIR *d;
	struct dirent *e;
	size_t len = path->len;
	int rc = -1;

	d = opendir(path->s);
	if (!d) {
		err_sys("%s", path->s);
		return -1;
	}
	for (;;) {
		struct stat st;
		const char *rel;
		int f;

		errno = 0;
		e = readdir(d);
		if (!e) {
			if (errno) {
				err_sys("%s", path->s);
				goto out;
			}
			break;
		}
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		path->len = len;
		path->s[len] = '\0';
		if (buf_addc(path, '/') < 0 || buf_adds(path, e->d_name) < 0)
			goto out;
		rel = path->s + w->rootlen + 1;
		if (lstat(path->s, &st) < 0) {
			err_sys("%s", path->s);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			/* never followed out of the root (a link to ~/.aws/credentials
			 * must not reach a build); a dangling link or one to a dir is
			 * skipped; one to a file inside counts as that file */
			char *t = realpath(path->s, NULL);
			int in = t && w->real && below(t, w->real), away = t && !in;

			free(t);
			if (away && w->outside && strv_add(w->outside, rel) < 0)
				goto out;
			if (!in || stat(path->s, &st) < 0 || !S_ISREG(st.st_mode))
				continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (walk_skipped(e->d_name, len == w->rootlen) || in_skip(w->skip, rel))
				continue;
			if (w->filter && (f = w->filter(w->ctx, rel, 1)) != 0) {
				if (f < 0)
					goto out;
				continue;
			}
			if (walk_dir(path, w) < 0)
				goto out;
		} else if (S_ISREG(st.st_mode)) {
			if (w->filter && (f = w->filter(w->ctx, rel, 0)) != 0) {
				if (f < 0)
					goto out;
				continue;
			}
			if (strv_add(w->out, rel) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	path->len = len;
	path->s[len] = '\0';
	closedir(d);
	return rc;
}

int
walk_files(const char *root, struct strv *out)
{
	return walk_files_skip(root, NULL, out);
}

int
walk_files_skip(const char *root, const struct strv *skip, struct strv *out)
{
	return walk_files_links(root, skip, NULL, out);
}

int
walk_files_links(const char *root, const struct strv *skip, struct strv *outside,
		 struct strv *out)
{
	return walk_files_filter(root, skip, outside, NULL, NULL, out);
}

int
walk_files_filter(const char *root, const struct strv *skip, struct strv *outside,
		  walk_filter *filter, void *ctx, struct strv *out)
{
	struct buf path = {0};
	struct walk w = {0, skip, NULL, out, outside, filter, ctx};
	size_t first = out->n, rootlen;
	int rc;

	if (buf_adds(&path, root) < 0)
		return -1;
	while (path.len > 1 && path.s[path.len - 1] == '/')
		path.s[--path.len] = '\0';
	rootlen = path.len;
	w.rootlen = rootlen;
	w.real = realpath(path.s, NULL);
	rc = walk_dir(&path, &w);
	free(w.real);
	buf_free(&path);
	if (rc == 0 && out->n - first > 1)
		qsort(out->v + first, out->n - first, sizeof(*out->v), strv_cmp);
	return rc;
}
