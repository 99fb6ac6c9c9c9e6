/* ignore.c: Docker's .dockerignore matcher (see ignore.h). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ignore.h"

/* One character of a class at p (a "\" escapes); its length in *n, -1 at the end. */
static int
class_char(const char *p, size_t *n)
{
	if (p[0] == '\\') {
		if (!p[1])
			return -1;
		*n = 2;
		return (unsigned char)p[1];
	}
	if (!p[0])
		return -1;
	*n = 1;
	return (unsigned char)p[0];
}

/* The class starting at p ("["): its length, and in *hit whether c is in it; -1 if
 * it is not closed. */
static int
class_len(const char *p, int c, int *hit)
{
	size_t i = 1, n;
	int neg = 0, in = 0, ranges = 0, lo, hi;

	if (p[i] == '^') {
		neg = 1;
		i++;
	}
	for (;;) {
		if (p[i] == ']' && ranges)
			break;
		if ((lo = class_char(p + i, &n)) < 0)
			return -1;
		i += n;
		hi = lo;
		if (p[i] == '-' && p[i + 1] != ']') {
			if ((hi = class_char(p + i + 1, &n)) < 0)
				return -1;
			i += 1 + n;
		}
		if (lo <= c && c <= hi)
			in = 1;
		ranges++;
	}
	*hit = in != neg;
	return (int)i + 1;
}

/* A match in progress: the whole pattern and path, and the (pattern, path) positions
 * known not to match, so that stars backtrack in O(pattern x path), not exponentially. */
struct gm {
	const char *p0, *s0;
	size_t slen;
	unsigned char *no;
};

static int gm_run(struct gm *c, const char *p, const char *s);

/* gm_run, remembering a failure at (p, s). */
static int
gm(struct gm *c, const char *p, const char *s)
{
	size_t at = (size_t)(p - c->p0) * (c->slen + 1) + (size_t)(s - c->s0);
	int r;

	if (c->no[at / 8] & (1u << (at % 8)))
		return 0;
	r = gm_run(c, p, s);
	if (!r)
		c->no[at / 8] |= (unsigned char)(1u << (at % 8));
	return r;
}

static int
gm_run(struct gm *c, const char *p, const char *s)
{
	int hit, n;

	while (*p) {
		if (p[0] == '*' && p[1] == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return 1;
			if (*p == '/') {
				/* any number of directories, none included */
				p++;
				if (gm(c, p, s))
					return 1;
				for (; *s; s++)
					if (*s == '/' && gm(c, p, s + 1))
						return 1;
				return 0;
			}
			for (;; s++) {
				if (gm(c, p, s))
					return 1;
				if (!*s)
					return 0;
			}
		}
		switch (*p) {
		case '*':
			for (p++;; s++) {
				if (gm(c, p, s))
					return 1;
				if (!*s || *s == '/')
					return 0;
			}
		case '?':
			if (!*s || *s == '/')
				return 0;
			p++;
			s++;
			break;
		case '[':
			n = class_len(p, (unsigned char)*s, &hit);
			if (n < 0 || !*s || *s == '/' || !hit)
				return 0;
			p += n;
			s++;
			break;
		case '\\':
			if (!p[1] || p[1] != *s)
				return 0;
			p += 2;
			s++;
			break;
		default:
			if (*p != *s)
				return 0;
			p++;
			s++;
		}
	}
	return !*s;
}

int
ign_glob(const char *p, const char *s)
{
	unsigned char small[512];
	struct gm c = {p, s, strlen(s), small};
	size_t cells = (strlen(p) + 1) * (c.slen + 1), bytes = cells / 8 + 1;
	int r;

	if (bytes > sizeof(small) && !(c.no = calloc(1, bytes)))
		return 0;
	if (c.no == small)
		memset(small, 0, bytes);
	r = gm_run(&c, p, s);
	if (c.no != small)
		free(c.no);
	return r;
}

int
ign_check(const char *pat)
{
	const char *p;
	int hit, n;

	for (p = pat; *p; p++) {
		if (*p == '\\') {
			if (!p[1]) {
				err_set("pattern '%.80s' ends in a lone '\\'", pat);
				return -1;
			}
			p++;
		} else if (*p == '[') {
			n = class_len(p, 0, &hit);
			if (n < 0) {
				err_set("pattern '%.80s' has a '[' without its ']'", pat);
				return -1;
			}
			p += n - 1;
		}
	}
	return 0;
}

/* Docker's cleaning (Go's filepath.Clean, then a leading "/" dropped) into out. */
static int
clean(const char *in, struct buf *out)
{
	const char *s = in, *e;

	out->len = 0;
	if (buf_adds(out, "") < 0)
		return -1;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		for (e = s; *e && *e != '/'; e++)
			;
		if (e - s == 1 && *s == '.') {
			s = e;
			continue;
		}
		if (e - s == 2 && s[0] == '.' && s[1] == '.' && out->len) {
			char *slash = strrchr(out->s, '/');
			const char *last = slash ? slash + 1 : out->s;

			if (strcmp(last, "..")) {
				/* "a/.." is nothing */
				out->len = slash ? (size_t)(slash - out->s) : 0;
				out->s[out->len] = '\0';
				s = e;
				continue;
			}
		}
		if ((out->len && buf_addc(out, '/') < 0) || buf_addn(out, s, (size_t)(e - s)) < 0)
			return -1;
		s = e;
	}
	return 0;
}

int
ign_add(struct ign *g, const char *line)
{
	struct buf t = {0}, c = {0};
	size_t a, b;
	int neg = 0, rc = -1;

	if (line[0] == '#')
		return 0;
	for (a = 0; line[a] == ' ' || line[a] == '\t' || line[a] == '\r' || line[a] == '\n'; a++)
		;
	for (b = strlen(line); b > a && strchr(" \t\r\n", line[b - 1]); b--)
		;
	if (a == b)
		return 0;
	if (line[a] == '!') {
		neg = 1;
		for (a++; a < b && (line[a] == ' ' || line[a] == '\t'); a++)
			;
		if (a == b) {
			err_set("'!' without a pattern (write !PATTERN to keep what PATTERN names)");
			return -1;
		}
	}
	if (buf_addn(&t, line + a, b - a) < 0 || ign_check(t.s) < 0 || clean(t.s, &c) < 0)
		goto out;
	if (!c.len) {
		rc = 0; /* "/" or ".": the root itself, which is never a path here */
		goto out;
	}
	if (GROW(g->p, g->n, g->cap, 8) < 0)
		goto out;
	g->p[g->n].glob = buf_take(&c);
	if (!g->p[g->n].glob)
		goto out;
	g->p[g->n++].neg = neg;
	g->negs += neg;
	rc = 0;
out:
	buf_free(&t);
	buf_free(&c);
	return rc;
}

int
ign_parse(struct ign *g, const char *text, size_t len, const char *origin)
{
	struct buf line = {0};
	size_t i = 0, e, no = 1;

	for (; i < len; i = e + 1, no++) {
		for (e = i; e < len && text[e] != '\n'; e++)
			;
		line.len = 0;
		if (buf_addn(&line, text + i, e - i) < 0)
			goto fail;
		if (strlen(line.s) != line.len) {
			err_set("%s:%zu: a NUL byte in a pattern", origin, no);
			goto fail;
		}
		if (ign_add(g, line.s) < 0) {
			err_wrap(" (fix the pattern: Docker's .dockerignore syntax)", "%s:%zu: ",
				 origin, no);
			goto fail;
		}
	}
	buf_free(&line);
	return 0;
fail:
	buf_free(&line);
	return -1;
}

int
ign_excluded(const struct ign *g, const char *rel, const char **by)
{
	char *pre = NULL;
	size_t i, k, len;
	int out = 0;

	if (by)
		*by = NULL;
	if (!g || !g->n)
		return 0;
	len = strlen(rel);
	for (i = 0; i < g->n; i++) {
		int m = ign_glob(g->p[i].glob, rel);

		/* a pattern naming a directory names everything below it */
		for (k = 0; !m && k < len; k++) {
			if (rel[k] != '/')
				continue;
			if (!pre && !(pre = strdup(rel)))
				break; /* out of memory: treat as no match */
			pre[k] = '\0';
			m = ign_glob(g->p[i].glob, pre);
			pre[k] = '/';
		}
		if (m) {
			out = !g->p[i].neg;
			if (by)
				*by = out ? g->p[i].glob : NULL;
		}
	}
	free(pre);
	return out;
}

/* Could the pattern pat match a path below the directory dir? Compared component by
 * component; a "**" anywhere in the pattern's components up to dir's depth: yes. */
static int
could_match_below(const char *pat, const char *dir)
{
	struct buf pc = {0}, dc = {0};
	const char *p = pat, *d = dir, *pe, *de;
	int rc = 0;

	for (;;) {
		for (pe = p; *pe && *pe != '/'; pe++)
			if (pe[0] == '\\' && pe[1])
				pe++;
		for (de = d; *de && *de != '/'; de++)
			;
		pc.len = dc.len = 0;
		if (buf_addn(&pc, p, (size_t)(pe - p)) < 0 || buf_addn(&dc, d, (size_t)(de - d)) < 0) {
			rc = 1; /* out of memory: enter, which is always correct */
			break;
		}
		if (strstr(pc.s, "**")) {
			rc = 1;
			break;
		}
		if (!ign_glob(pc.s, dc.s))
			break;
		if (!*pe)
			break; /* the pattern ends at or above dir: its parent rule already applied */
		p = pe + 1;
		if (!*de) {
			rc = 1;
			break;
		}
		d = de + 1;
	}
	buf_free(&pc);
	buf_free(&dc);
	return rc;
}

int
ign_below(const struct ign *g, const char *rel)
{
	size_t i;

	if (!g || !g->negs)
		return 0;
	for (i = 0; i < g->n; i++)
		if (g->p[i].neg && could_match_below(g->p[i].glob, rel))
			return 1;
	return 0;
}

void
ign_free(struct ign *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->p[i].glob);
	free(g->p);
	memset(g, 0, sizeof(*g));
}
