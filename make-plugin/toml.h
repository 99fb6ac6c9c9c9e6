/* toml.h: a strict parser for the TOML that Cargo manifests and lock files use.
 *
 * Supported: [tables], [[arrays of tables]], dotted and quoted keys, basic and
 * literal strings (one-line and multi-line, all escapes), integers (decimal, hex,
 * octal, binary), floats, booleans, arrays (multi-line, trailing comma), inline
 * tables, comments. Date-times and anything malformed are errors "name:line: what".
 * Every value remembers its byte span in the source, so a caller can rewrite one
 * value (toml_splice) and keep every other byte of the file identical. */
#ifndef LAMBDA_TOML_H
#define LAMBDA_TOML_H

#include <stddef.h>

#include "buf.h"

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INT,
	TOML_FLOAT,
	TOML_BOOL
};

/* One node of the document tree. Callers read the fields, never write them. */
struct toml {
	enum toml_type type;
	char *key;            /* key in the parent table; NULL for the root and array items */
	char *str;            /* TOML_STRING: decoded bytes, NUL-terminated */
	size_t len;           /* TOML_STRING: length of str (a \u0000 escape may embed NUL) */
	long long i;          /* TOML_INT; TOML_BOOL: 0 or 1 */
	double f;             /* TOML_FLOAT */
	struct toml **kid;    /* TOML_TABLE: entries in source order; TOML_ARRAY: items */
	size_t n;             /* number of kids */
	size_t beg, end;      /* source bytes [beg, end) of the value (of the header line for
	                       * a [table]; 0, 0 for a table only implied by a longer key) */
	int line;             /* 1-based source line of beg */
	size_t cap;           /* private: allocated kids */
	unsigned flags;       /* private: how a table was defined */
};

/* A replacement of the source bytes [beg, end) by text (NUL-terminated). */
struct toml_edit {
	size_t beg, end;
	const char *text;
};

/* Parse len bytes of text; name prefixes error messages ("name:line: what").
 * Returns the root table, or NULL with the error set. */
struct toml *toml_parse(const char *text, size_t len, const char *name);
/* Free a tree returned by toml_parse (NULL is fine). */
void toml_free(struct toml *t);
/* The entry named key (one key, dots are literal) of table t; NULL if absent or t is
 * not a table. */
struct toml *toml_key(const struct toml *t, const char *key);
/* The node at a dotted path of bare keys ("package.name") below table t; NULL if any
 * part is absent or not a table. */
struct toml *toml_get(const struct toml *t, const char *path);
/* The string at path below t, or NULL if absent or not a string. */
const char *toml_str(const struct toml *t, const char *path);
/* Lowercase name of a type, for messages ("string", "table", ...). */
const char *toml_type_name(enum toml_type type);
/* Append to out the text with the edits applied (any order, must not overlap and must
 * lie within len); -1 with the error set otherwise. */
int toml_splice(const char *text, size_t len, struct toml_edit *e, size_t n,
		struct buf *out);

#endif
