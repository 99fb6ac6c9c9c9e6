/* toml_lex.c: the TOML lexer: the text check, whitespace and comments, keys,
 * strings (all escapes) and numbers; toml.c builds the document from them. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml_lex.h"

int
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

/* ---- the whole text: UTF-8 and no stray control characters ---- */

int
tp_text(struct tp *p)
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

void
tp_ws(struct tp *p)
{
	while (tp_peek(p, 0) == ' ' || tp_peek(p, 0) == '\t')
		p->pos++;
}

void
tp_comment(struct tp *p)
{
	if (tp_peek(p, 0) != '#')
		return;
	while (p->pos < p->len && p->s[p->pos] != '\n' && p->s[p->pos] != '\r')
		p->pos++;
}

/* At a newline (or the end): consume it. 1 if a newline was eaten, 0 if not there. */
int
tp_newline(struct tp *p)
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
void
tp_wscn(struct tp *p)
{
	for (;;) {
		tp_ws(p);
		tp_comment(p);
		if (!tp_newline(p))
			return;
	}
}

/* The rest of a line after a key/value or header: blanks, a comment, a newline. */
int
tp_eol(struct tp *p)
{
	tp_ws(p);
	tp_comment(p);
	if (p->pos >= p->len || tp_newline(p))
		return 0;
	return tp_err(p, "expected end of line, found '%c'", p->s[p->pos]);
}

int
tp_bare(int c)
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
int
tp_string(struct tp *p, struct buf *out, int multi_ok)
{
	int q = tp_peek(p, 0), multi, c, n;

	multi = tp_peek(p, 1) == q && tp_peek(p, 2) == q;
	if (multi && !multi_ok)
		return tp_err(p, "multi-line string not allowed here");
	p->pos += multi ? 3 : 1;
	if (multi)
		tp_newline(p);
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
			tp_newline(p);
			if (buf_addc(out, '\n') < 0)
				return -1;
			continue;
		}
		if (c == '\\' && q == '"') {
			if (multi) {
				size_t save = p->pos;

				/* line-ending backslash: drop blanks and newlines that follow */
				p->pos++;
				tp_ws(p);
				if (tp_peek(p, 0) == '\n' || tp_peek(p, 0) == '\r') {
					for (;;) {
						if (tp_newline(p))
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
		if (tp_string(p, out, 0) < 0)
			return -1;
		if (strlen(out->s) != out->len)
			return tp_err(p, "key contains a NUL character");
		return 0;
	}
	while (tp_bare(tp_peek(p, 0)))
		p->pos++;
	if (p->pos == start) {
		if (c < 0 || c == '\n' || c == '\r')
			return tp_err(p, "expected a key");
		return tp_err(p, "expected a key, found '%c'", c);
	}
	return buf_addn(out, p->s + start, p->pos - start);
}

/* A dotted key into parts. */
int
tp_key_path(struct tp *p, struct strv *parts)
{
	struct buf part = {0};
	int rc = -1;

	for (;;) {
		tp_ws(p);
		if (parts->n >= TOML_DEPTH) {
			tp_err(p, "key has too many parts");
			goto out;
		}
		if (key_part(p, &part) < 0 || strv_add(parts, part.s) < 0)
			goto out;
		tp_ws(p);
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
int
tp_number(struct tp *p, struct toml *t)
{
	struct buf clean = {0};
	const char *s = p->s + p->pos;
	size_t n = 0, i;
	char *end;
	int rc = -1, base = 10;

	while (p->pos + n < p->len &&
	       (tp_bare(s[n]) || s[n] == '+' || s[n] == '.' || s[n] == ':'))
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

