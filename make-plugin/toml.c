/* toml.c: strict recursive-descent TOML parser (see toml.h for the subset). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"
#include "walk.h"

/* How a table came to exist; TOML forbids defining one twice. */
#define F_HEADER 1u   /* opened by [header] or as an element of [[header]] */
#define F_DOTTED 2u   /* created by a dotted key (a.b = 1) */
#define F_SEALED 4u   /* an inline table, or inside one: closed for additions */
#define F_AOT 8u      /* an array created by [[header]] */

/* Nesting limit for arrays and inline tables: bounds the recursion. */
#define TOML_DEPTH 64

struct tp {
	const char *s;
	size_t len, pos;
	int line;
	const char *name;
	int depth;
};

static int
tp_err(struct tp *p, const char *fmt, ...) ERR_PRINTF(2, 3);

static int
tp_err(struct tp *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set("%s:%d: %s", p->name, p->line, msg);
	return -1;
}

static int
tp_peek(const struct tp *p, size_t ahead)
{
	return p->pos + ahead < p->len ? (unsigned char)p->s[p->pos + ahead] : -1;
}

static struct toml *
node_new(enum toml_type type, struct tp *p)
{
	struct toml *t = calloc(1, sizeof(*t));

	if (!t) {
		err_set("out of memory");
		return NULL;
	}
	t->type = type;
	t->line = p->line;
	t->beg = t->end = p->pos;
	return t;
}

void
toml_free(struct toml *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		toml_free(t->kid[i]);
	free(t->kid);
	free(t->key);
	free(t->str);
	free(t);
}

static int
node_add(struct toml *t, struct toml *kid)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4;
		struct toml **v = realloc(t->kid, cap * sizeof(*v));

		if (!v) {
			err_set("out of memory");
			return -1;
		}
		t->kid = v;
		t->cap = cap;
	}
	t->kid[t->n++] = kid;
	return 0;
}

struct toml *
toml_key(const struct toml *t, const char *key)
{
	size_t i;

	if (!t || t->type != TOML_TABLE)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->kid[i]->key, key))
			return t->kid[i];
	return NULL;
}

struct toml *
toml_get(const struct toml *t, const char *path)
{
	char part[256];
	const char *dot;
	size_t n;

	for (;;) {
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		t = toml_key(t, part);
		if (!t || !dot)
			return (struct toml *)t;
		path = dot + 1;
	}
}

const char *
toml_str(const struct toml *t, const char *path)
{
	const struct toml *v = toml_get(t, path);

	return v && v->type == TOML_STRING ? v->str : NULL;
}

const char *
toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_TABLE: return "table";
	case TOML_ARRAY: return "array";
	case TOML_STRING: return "string";
	case TOML_INT: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "boolean";
	}
	return "value";
}

/* ---- the whole text: UTF-8 and no stray control characters ---- */

static int
check_text(struct tp *p)
{
	const unsigned char *s = (const unsigned char *)p->s;
	size_t i = 0, n, k;
	unsigned long cp, min;

	while (i < p->len) {
		unsigned c = s[i];

		if (c == '\n') {
			p->line++;
			i++;
			continue;
		}
		if (c == '\r') {
			if (i + 1 >= p->len || s[i + 1] != '\n')
				return tp_err(p, "carriage return without newline");
			i++;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return tp_err(p, "control character 0x%02x", c);
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07, min = 0x10000;
		else
			return tp_err(p, "invalid UTF-8");
		if (p->len - i <= n)
			return tp_err(p, "invalid UTF-8");
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return tp_err(p, "invalid UTF-8");
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return tp_err(p, "invalid UTF-8");
		i += n + 1;
	}
	p->line = 1;
	return 0;
}

/* ---- lexing ---- */

static void
skip_ws(struct tp *p)
{
	while (tp_peek(p, 0) == ' ' || tp_peek(p, 0) == '\t')
		p->pos++;
}

static void
skip_comment(struct tp *p)
{
	if (tp_peek(p, 0) != '#')
		return;
	while (p->pos < p->len && p->s[p->pos] != '\n' && p->s[p->pos] != '\r')
		p->pos++;
}

/* At a newline (or the end): consume it. 1 if a newline was eaten, 0 if not there. */
static int
eat_newline(struct tp *p)
{
	if (tp_peek(p, 0) == '\n') {
		p->pos++;
		p->line++;
		return 1;
	}
	if (tp_peek(p, 0) == '\r' && tp_peek(p, 1) == '\n') {
		p->pos += 2;
		p->line++;
		return 1;
	}
	return 0;
}

/* Whitespace, comments and newlines, as allowed inside arrays. */
static void
skip_wscn(struct tp *p)
{
	for (;;) {
		skip_ws(p);
		skip_comment(p);
		if (!eat_newline(p))
			return;
	}
}

/* The rest of a line after a key/value or header: blanks, a comment, a newline. */
static int
end_of_line(struct tp *p)
{
	skip_ws(p);
	skip_comment(p);
	if (p->pos >= p->len || eat_newline(p))
		return 0;
	return tp_err(p, "expected end of line, found '%c'", p->s[p->pos]);
}

static int
is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
put_utf8(struct buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_addn(b, u, n);
}

/* After a backslash in a basic string. */
static int
escape(struct tp *p, struct buf *out)
{
	int c = tp_peek(p, 0), d, k, n;
	unsigned long cp = 0;
	char ch;

	p->pos++;
	switch (c) {
	case 'b': ch = '\b'; break;
	case 't': ch = '\t'; break;
	case 'n': ch = '\n'; break;
	case 'f': ch = '\f'; break;
	case 'r': ch = '\r'; break;
	case '"': ch = '"'; break;
	case '\\': ch = '\\'; break;
	case 'u':
	case 'U':
		n = c == 'u' ? 4 : 8;
		for (k = 0; k < n; k++) {
			d = hexval(tp_peek(p, 0));
			if (d < 0)
				return tp_err(p, "bad \\%c escape: expected %d hex digits", c, n);
			cp = (cp << 4) | (unsigned long)d;
			p->pos++;
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return tp_err(p, "\\%c escape is not a Unicode scalar value", c);
		return put_utf8(out, cp);
	default:
		if (c < 0)
			return tp_err(p, "unterminated string");
		return tp_err(p, "invalid escape '\\%c'", c);
	}
	return buf_addc(out, ch);
}

/* A string of any of the four kinds, decoded into out; p->pos is at the quote. */
static int
string(struct tp *p, struct buf *out, int multi_ok)
{
	int q = tp_peek(p, 0), multi, c, n;

	multi = tp_peek(p, 1) == q && tp_peek(p, 2) == q;
	if (multi && !multi_ok)
		return tp_err(p, "multi-line string not allowed here");
	p->pos += multi ? 3 : 1;
	if (multi)
		eat_newline(p);
	for (;;) {
		c = tp_peek(p, 0);
		if (c < 0)
			return tp_err(p, "unterminated string");
		if (c == q) {
			if (!multi) {
				p->pos++;
				return 0;
			}
			for (n = 0; tp_peek(p, n) == q; n++)
				;
			if (n >= 3) {
				if (n > 5)
					return tp_err(p, "too many quotes ending a string");
				if (buf_addn(out, p->s + p->pos, (size_t)n - 3) < 0)
					return -1;
				p->pos += (size_t)n;
				return 0;
			}
			if (buf_addn(out, p->s + p->pos, (size_t)n) < 0)
				return -1;
			p->pos += (size_t)n;
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (!multi)
				return tp_err(p, "newline in a one-line string");
			if (c == '\r' && buf_addc(out, '\r') < 0)
				return -1;
			eat_newline(p);
			if (buf_addc(out, '\n') < 0)
				return -1;
			continue;
		}
		if (c == '\\' && q == '"') {
			if (multi) {
				size_t save = p->pos;

				/* line-ending backslash: drop blanks and newlines that follow */
				p->pos++;
				skip_ws(p);
				if (tp_peek(p, 0) == '\n' || tp_peek(p, 0) == '\r') {
					for (;;) {
						if (eat_newline(p))
							continue;
						if (tp_peek(p, 0) != ' ' && tp_peek(p, 0) != '\t')
							break;
						p->pos++;
					}
					continue;
				}
				p->pos = save;
			}
			p->pos++;
			if (escape(p, out) < 0)
				return -1;
			continue;
		}
		if (buf_addc(out, (char)c) < 0)
			return -1;
		p->pos++;
	}
}

/* One key part: bare or a one-line quoted string. */
static int
key_part(struct tp *p, struct buf *out)
{
	int c = tp_peek(p, 0);
	size_t start = p->pos;

	out->len = 0;
	if (buf_addn(out, "", 0) < 0)
		return -1;
	if (c == '"' || c == '\'') {
		if (string(p, out, 0) < 0)
			return -1;
		if (strlen(out->s) != out->len)
			return tp_err(p, "key contains a NUL character");
		return 0;
	}
	while (is_bare(tp_peek(p, 0)))
		p->pos++;
	if (p->pos == start) {
		if (c < 0 || c == '\n' || c == '\r')
			return tp_err(p, "expected a key");
		return tp_err(p, "expected a key, found '%c'", c);
	}
	return buf_addn(out, p->s + start, p->pos - start);
}

/* A dotted key into parts. */
static int
key_path(struct tp *p, struct strv *parts)
{
	struct buf part = {0};
	int rc = -1;

	for (;;) {
		skip_ws(p);
		if (parts->n >= TOML_DEPTH) {
			tp_err(p, "key has too many parts");
			goto out;
		}
		if (key_part(p, &part) < 0 || strv_add(parts, part.s) < 0)
			goto out;
		skip_ws(p);
		if (tp_peek(p, 0) != '.')
			break;
		p->pos++;
	}
	rc = 0;
out:
	buf_free(&part);
	return rc;
}

/* ---- values ---- */

static int value(struct tp *p, struct toml **out);

/* Underscores only between digits; the digits pass the test f. */
static int
digits(const char *s, size_t n, int (*f)(int), struct buf *clean)
{
	size_t i;

	if (n == 0 || !f((unsigned char)s[0]) || !f((unsigned char)s[n - 1]))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '_') {
			if (!f((unsigned char)s[i + 1]))
				return -1;
			continue;
		}
		if (!f((unsigned char)s[i]))
			return -1;
		if (clean && buf_addc(clean, s[i]) < 0)
			return -1;
	}
	return 0;
}

static int
is_dec(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(int c)
{
	return hexval(c) >= 0;
}

static int
is_oct(int c)
{
	return c >= '0' && c <= '7';
}

static int
is_bin(int c)
{
	return c == '0' || c == '1';
}

/* A decimal integer part: no leading zeros. */
static int
dec_part(const char *s, size_t n, struct buf *clean)
{
	if (n > 1 && s[0] == '0')
		return -1;
	return digits(s, n, is_dec, clean);
}

/* Integers and floats (and the date-times we refuse). */
static int
number(struct tp *p, struct toml *t)
{
	struct buf clean = {0};
	const char *s = p->s + p->pos;
	size_t n = 0, i;
	char *end;
	int rc = -1, base = 10;

	while (p->pos + n < p->len &&
	       (is_bare(s[n]) || s[n] == '+' || s[n] == '.' || s[n] == ':'))
		n++;
	if (n == 0)
		return tp_err(p, "expected a value");
	if (memchr(s, ':', n) || (n >= 5 && is_dec(s[0]) && is_dec(s[1]) &&
				  is_dec(s[2]) && is_dec(s[3]) && s[4] == '-')) {
		return tp_err(p, "date-time values are not supported");
	}
	if (buf_addn(&clean, "", 0) < 0)
		return -1;
	i = 0;
	if (s[0] == '+' || s[0] == '-') {
		if (buf_addc(&clean, s[0]) < 0)
			goto out;
		i = 1;
	}
	if (n - i == 3 && (!memcmp(s + i, "inf", 3) || !memcmp(s + i, "nan", 3))) {
		t->type = TOML_FLOAT;
		t->f = s[i] == 'i' ? (s[0] == '-' ? -HUGE_VAL : HUGE_VAL) : NAN;
		goto done;
	}
	if (i == 0 && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		if (digits(s + 2, n - 2, base == 16 ? is_hex : base == 8 ? is_oct : is_bin,
			   &clean) < 0)
			goto bad;
	} else {
		/* split into integer part, fraction, exponent */
		size_t a = i, b;

		for (b = a; b < n && s[b] != '.' && s[b] != 'e' && s[b] != 'E'; b++)
			;
		if (dec_part(s + a, b - a, &clean) < 0)
			goto bad;
		if (b < n) {
			t->type = TOML_FLOAT;
			if (s[b] == '.') {
				if (buf_addc(&clean, '.') < 0)
					goto out;
				a = ++b;
				for (; b < n && s[b] != 'e' && s[b] != 'E'; b++)
					;
				if (digits(s + a, b - a, is_dec, &clean) < 0)
					goto bad;
			}
			if (b < n) {
				if (buf_addc(&clean, 'e') < 0)
					goto out;
				b++;
				if (b < n && (s[b] == '+' || s[b] == '-')) {
					if (buf_addc(&clean, s[b]) < 0)
						goto out;
					b++;
				}
				if (digits(s + b, n - b, is_dec, &clean) < 0)
					goto bad;
			}
		}
	}
	errno = 0;
	if (t->type == TOML_FLOAT) {
		t->f = strtod(clean.s, &end);
	} else {
		t->type = TOML_INT;
		t->i = strtoll(clean.s, &end, base);
		if (errno == ERANGE) {
			rc = tp_err(p, "integer out of range: %.*s", (int)n, s);
			goto out;
		}
	}
	if (*end)
		goto bad;
done:
	p->pos += n;
	rc = 0;
	goto out;
bad:
	rc = tp_err(p, "invalid value: %.*s", (int)(n > 64 ? 64 : n), s);
out:
	buf_free(&clean);
	return rc;
}

/* Define key path parts[0..n) = v in table t (a key/value line or inline entry). */
static int
assign(struct tp *p, struct toml *t, struct strv *parts, struct toml *v)
{
	struct toml *k;
	size_t i;

	for (i = 0; i + 1 < parts->n; i++) {
		k = toml_key(t, parts->v[i]);
		if (!k) {
			k = node_new(TOML_TABLE, p);
			if (!k)
				return -1;
			k->flags = F_DOTTED;
			k->key = strdup(parts->v[i]);
			if (!k->key || node_add(t, k) < 0) {
				toml_free(k);
				err_set("out of memory");
				return -1;
			}
		} else if (k->type != TOML_TABLE || !(k->flags & F_DOTTED) ||
			   (k->flags & F_SEALED)) {
			return tp_err(p, "cannot add keys to '%s': it is already defined",
				      parts->v[i]);
		}
		t = k;
	}
	if (toml_key(t, parts->v[i]))
		return tp_err(p, "duplicate key '%s'", parts->v[i]);
	v->key = strdup(parts->v[i]);
	if (!v->key) {
		err_set("out of memory");
		return -1;
	}
	return node_add(t, v);
}

static void
seal(struct toml *t)
{
	size_t i;

	if (t->type == TOML_TABLE)
		t->flags |= F_SEALED;
	for (i = 0; i < t->n; i++)
		seal(t->kid[i]);
}

/* key = value, with p->pos at the key; the value goes into t. */
static int
keyval(struct tp *p, struct toml *t)
{
	struct strv parts = {0};
	struct toml *v = NULL;
	int rc = -1;

	if (key_path(p, &parts) < 0)
		goto out;
	if (tp_peek(p, 0) != '=') {
		tp_err(p, "expected '=' after key '%s'", parts.v[parts.n - 1]);
		goto out;
	}
	p->pos++;
	skip_ws(p);
	if (value(p, &v) < 0)
		goto out;
	if (assign(p, t, &parts, v) < 0)
		goto out;
	v = NULL;
	rc = 0;
out:
	toml_free(v);
	strv_free(&parts);
	return rc;
}

static int
array(struct tp *p, struct toml *t)
{
	struct toml *v;

	p->pos++;
	for (;;) {
		skip_wscn(p);
		if (tp_peek(p, 0) == ']')
			break;
		if (p->pos >= p->len)
			return tp_err(p, "unterminated array");
		if (value(p, &v) < 0)
			return -1;
		if (node_add(t, v) < 0) {
			toml_free(v);
			return -1;
		}
		skip_wscn(p);
		if (tp_peek(p, 0) == ',') {
			p->pos++;
			continue;
		}
		if (tp_peek(p, 0) == ']')
			break;
		if (p->pos >= p->len)
			return tp_err(p, "unterminated array");
		return tp_err(p, "expected ',' or ']' in array, found '%c'", p->s[p->pos]);
	}
	p->pos++;
	return 0;
}

static int
inline_table(struct tp *p, struct toml *t)
{
	p->pos++;
	skip_ws(p);
	if (tp_peek(p, 0) == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(p);
		if (keyval(p, t) < 0)
			return -1;
		skip_ws(p);
		if (tp_peek(p, 0) == ',') {
			p->pos++;
			continue;
		}
		if (tp_peek(p, 0) == '}')
			break;
		if (p->pos >= p->len)
			return tp_err(p, "unterminated inline table");
		if (p->s[p->pos] == '\n' || p->s[p->pos] == '\r')
			return tp_err(p, "newline in an inline table");
		return tp_err(p, "expected ',' or '}' in inline table, found '%c'",
			      p->s[p->pos]);
	}
	p->pos++;
	seal(t);
	return 0;
}

static int
value(struct tp *p, struct toml **out)
{
	struct buf s = {0};
	struct toml *t;
	int c = tp_peek(p, 0), rc;

	t = node_new(TOML_STRING, p);
	if (!t)
		return -1;
	if (++p->depth > TOML_DEPTH) {
		rc = tp_err(p, "values nested too deeply");
		goto out;
	}
	if (c == '"' || c == '\'') {
		rc = string(p, &s, 1);
		if (rc == 0 && buf_addn(&s, "", 0) == 0) {
			t->len = s.len;
			t->str = buf_take(&s);
			rc = t->str ? 0 : -1;
		}
	} else if (c == '[') {
		t->type = TOML_ARRAY;
		rc = array(p, t);
	} else if (c == '{') {
		t->type = TOML_TABLE;
		rc = inline_table(p, t);
	} else if (c == 't' && p->len - p->pos >= 4 && !memcmp(p->s + p->pos, "true", 4) &&
		   !is_bare(tp_peek(p, 4))) {
		t->type = TOML_BOOL;
		t->i = 1;
		p->pos += 4;
		rc = 0;
	} else if (c == 'f' && p->len - p->pos >= 5 &&
		   !memcmp(p->s + p->pos, "false", 5) && !is_bare(tp_peek(p, 5))) {
		t->type = TOML_BOOL;
		p->pos += 5;
		rc = 0;
	} else if (c < 0 || c == '\n' || c == '\r' || c == '#') {
		rc = tp_err(p, "expected a value");
	} else {
		rc = number(p, t);
	}
out:
	p->depth--;
	buf_free(&s);
	if (rc < 0) {
		toml_free(t);
		return -1;
	}
	t->end = p->pos;
	*out = t;
	return 0;
}

/* ---- headers ---- */

/* [a.b] or [[a.b]]: returns the table that following keys go into. */
static int
header(struct tp *p, struct toml *root, struct toml **cur)
{
	struct strv parts = {0};
	struct toml *t = root, *k, *arr;
	size_t i, beg = p->pos;
	int line = p->line, aot = tp_peek(p, 1) == '[', rc = -1;

	p->pos += aot ? 2 : 1;
	if (key_path(p, &parts) < 0)
		goto out;
	if (tp_peek(p, 0) != ']' || (aot && tp_peek(p, 1) != ']')) {
		tp_err(p, "expected '%s' to close the table header", aot ? "]]" : "]");
		goto out;
	}
	p->pos += aot ? 2 : 1;
	for (i = 0; i < parts.n; i++) {
		int last = i + 1 == parts.n;

		k = toml_key(t, parts.v[i]);
		if (!k) {
			k = node_new(last && aot ? TOML_ARRAY : TOML_TABLE, p);
			if (!k)
				goto out;
			k->key = strdup(parts.v[i]);
			if (!k->key || node_add(t, k) < 0) {
				toml_free(k);
				err_set("out of memory");
				goto out;
			}
			k->beg = k->end = 0;
			if (last && aot)
				k->flags = F_AOT;
		} else if (k->type == TOML_ARRAY && (k->flags & F_AOT)) {
			if (last && !aot) {
				tp_err(p, "table '%s' is already an array of tables", parts.v[i]);
				goto out;
			}
		} else if (k->type != TOML_TABLE || (k->flags & F_SEALED) || (last && aot)) {
			tp_err(p, "key '%s' is already defined as a %s", parts.v[i],
			       toml_type_name(k->type));
			goto out;
		} else if (last && (k->flags & (F_HEADER | F_DOTTED))) {
			tp_err(p, "table '%s' defined twice", parts.v[i]);
			goto out;
		}
		if (k->type == TOML_ARRAY && last) {
			arr = k;
			k = node_new(TOML_TABLE, p);
			if (!k)
				goto out;
			if (node_add(arr, k) < 0) {
				toml_free(k);
				goto out;
			}
		} else if (k->type == TOML_ARRAY) {
			k = k->kid[k->n - 1];
		}
		if (last) {
			k->flags |= F_HEADER;
			k->beg = beg;
			k->end = p->pos;
			k->line = line;
		}
		t = k;
	}
	*cur = t;
	rc = 0;
out:
	strv_free(&parts);
	return rc;
}

struct toml *
toml_parse(const char *text, size_t len, const char *name)
{
	struct tp p = {text, len, 0, 1, name, 0};
	struct toml *root, *cur;

	if (check_text(&p) < 0)
		return NULL;
	root = node_new(TOML_TABLE, &p);
	if (!root)
		return NULL;
	root->flags = F_HEADER;
	cur = root;
	/* a byte-order mark is allowed before everything else */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.pos = 3;
	for (;;) {
		skip_ws(&p);
		skip_comment(&p);
		if (p.pos >= p.len)
			break;
		if (eat_newline(&p))
			continue;
		if (p.s[p.pos] == '[') {
			if (header(&p, root, &cur) < 0)
				goto fail;
		} else if (keyval(&p, cur) < 0) {
			goto fail;
		}
		if (end_of_line(&p) < 0)
			goto fail;
	}
	root->end = p.len;
	return root;
fail:
	toml_free(root);
	return NULL;
}

static int
edit_cmp(const void *a, const void *b)
{
	const struct toml_edit *x = a, *y = b;

	return x->beg < y->beg ? -1 : x->beg > y->beg;
}

int
toml_splice(const char *text, size_t len, struct toml_edit *e, size_t n, struct buf *out)
{
	size_t i, at = 0;

	if (n > 1)
		qsort(e, n, sizeof(*e), edit_cmp);
	for (i = 0; i < n; i++) {
		if (e[i].beg < at || e[i].end < e[i].beg || e[i].end > len) {
			err_set("overlapping or out-of-range edit");
			return -1;
		}
		if (buf_addn(out, text + at, e[i].beg - at) < 0 ||
		    buf_adds(out, e[i].text) < 0)
			return -1;
		at = e[i].end;
	}
	return buf_addn(out, text + at, len - at);
}
