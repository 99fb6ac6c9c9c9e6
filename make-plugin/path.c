/* path.c: lexical path helpers (see path.h). */
#include <stdlib.h>
#include <string.h>

#include "path.h"

int
path_cat(struct buf *out, const char *a, const char *b)
{
	out->len = 0;
	if (buf_adds(out, a) < 0)
		return -1;
	if (*a && *b && buf_addc(out, '/') < 0)
		return -1;
	return buf_adds(out, b);
}

int
path_norm(const char *base, const char *rel, struct buf *out)
{
	struct buf all = {0};
	size_t *starts = NULL, nstart = 0, up = 0, i;
	char *p, *seg;
	int rc = -1;

	out->len = 0;
	if (rel[0] == '/') {
		if (buf_adds(out, rel) < 0)
			return -1;
		return 1;
	}
	if (path_cat(&all, base, rel) < 0)
		goto done;
	starts = malloc((all.len / 2 + 2) * sizeof(*starts));
	if (!starts) {
		err_set("out of memory");
		goto done;
	}
	if (buf_addn(out, "", 0) < 0)
		goto done;
	p = all.s;
	for (;;) {
		seg = p;
		while (*p && *p != '/')
			p++;
		if (*p)
			*p++ = '\0';
		else if (seg == p)
			break;
		if (!*seg || !strcmp(seg, ".")) {
			/* nothing */
		} else if (!strcmp(seg, "..")) {
			if (nstart > 0) {
				out->len = starts[--nstart];
				if (out->len)
					out->len--; /* drop the '/' */
				out->s[out->len] = '\0';
			} else {
				up++;
			}
		} else {
			if (out->len && buf_addc(out, '/') < 0)
				goto done;
			starts[nstart++] = out->len;
			if (buf_adds(out, seg) < 0)
				goto done;
		}
		if (!*p)
			break;
	}
	if (up) {
		struct buf pre = {0};

		for (i = 0; i < up; i++)
			if (buf_adds(&pre, i + 1 < up || out->len ? "../" : "..") < 0) {
				buf_free(&pre);
				goto done;
			}
		if (buf_addn(&pre, out->s, out->len) < 0) {
			buf_free(&pre);
			goto done;
		}
		buf_free(out);
		*out = pre;
	}
	rc = up > 0;
done:
	free(starts);
	buf_free(&all);
	return rc;
}
