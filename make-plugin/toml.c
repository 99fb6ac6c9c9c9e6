/* toml.c: strict recursive-descent TOML parser, the document layer: tables, keys
 * defined once, arrays, inline tables, headers; the lexer is toml_lex.c (see toml.h
 * for the subset). */
#include <stdlib.h>
#include <string.h>

#include "toml.h"
#include "toml_lex.h"

/* How a table came to exist; TOML forbids defining one twice. */
#define F_HEADER 1u   /* opened by [header] or as an element of [[header]] */
#define F_DOTTED 2u   /* created by a dotted key (a.b = 1) */
#define F_SEALED 4u   /* an inline table, or inside one: closed for additions */
#define F_AOT 8u      /* an array created by [[header]] */

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
	if (GROW(t->kid, t->n, t->cap, 4) < 0)
		return -1;
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


static int value(struct tp *p, struct toml **out);

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

	if (tp_key_path(p, &parts) < 0)
		goto out;
	if (tp_peek(p, 0) != '=') {
		tp_err(p, "expected '=' after key '%s'", parts.v[parts.n - 1]);
		goto out;
	}
	p->pos++;
	tp_ws(p);
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
		tp_wscn(p);
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
		tp_wscn(p);
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
	tp_ws(p);
	if (tp_peek(p, 0) == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		tp_ws(p);
		if (keyval(p, t) < 0)
			return -1;
		tp_ws(p);
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
		rc = tp_string(p, &s, 1);
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
		   !tp_bare(tp_peek(p, 4))) {
		t->type = TOML_BOOL;
		t->i = 1;
		p->pos += 4;
		rc = 0;
	} else if (c == 'f' && p->len - p->pos >= 5 &&
		   !memcmp(p->s + p->pos, "false", 5) && !tp_bare(tp_peek(p, 5))) {
		t->type = TOML_BOOL;
		p->pos += 5;
		rc = 0;
	} else if (c < 0 || c == '\n' || c == '\r' || c == '#') {
		rc = tp_err(p, "expected a value");
	} else {
		rc = tp_number(p, t);
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
	if (tp_key_path(p, &parts) < 0)
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

	if (tp_text(&p) < 0)
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
		tp_ws(&p);
		tp_comment(&p);
		if (p.pos >= p.len)
			break;
		if (tp_newline(&p))
			continue;
		if (p.s[p.pos] == '[') {
			if (header(&p, root, &cur) < 0)
				goto fail;
		} else if (keyval(&p, cur) < 0) {
			goto fail;
		}
		if (tp_eol(&p) < 0)
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

