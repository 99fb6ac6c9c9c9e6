/* toml_lex.h: the TOML lexer's seam with the document layer (toml.c): the parser
 * state, and the readers of whitespace, keys, strings and numbers (toml_lex.c).
 * Private to the two files; callers use toml.h. */
#ifndef LAMBDA_TOML_LEX_H
#define LAMBDA_TOML_LEX_H

#include <stddef.h>

#include "toml.h"
#include "walk.h"

/* Nesting limit for arrays, inline tables and dotted keys: bounds the recursion. */
#define TOML_DEPTH 64

/* The parser's position in the source. */
struct tp {
	const char *s;
	size_t len, pos;
	int line;
	const char *name;
	int depth;
};

/* Set the error "name:line: msg"; returns -1. */
int tp_err(struct tp *p, const char *fmt, ...) ERR_PRINTF(2, 3);

/* The byte ahead bytes past the position, or -1 at the end. */
static inline int
tp_peek(const struct tp *p, size_t ahead)
{
	return p->pos + ahead < p->len ? (unsigned char)p->s[p->pos + ahead] : -1;
}

/* Check the whole text first (UTF-8, no stray control characters): the readers
 * can then trust every byte. */
int tp_text(struct tp *p);
/* Skip spaces and tabs. */
void tp_ws(struct tp *p);
/* Skip a comment up to (not including) the newline. */
void tp_comment(struct tp *p);
/* Consume one newline (LF or CRLF); 1 if there was one. */
int tp_newline(struct tp *p);
/* Skip whitespace, comments and newlines (inside arrays). */
void tp_wscn(struct tp *p);
/* After a key/value or header: only a comment may follow on the line. */
int tp_eol(struct tp *p);
/* A character of a bare key. */
int tp_bare(int c);
/* A basic or literal string into out; multi_ok allows the triple-quoted forms. */
int tp_string(struct tp *p, struct buf *out, int multi_ok);
/* A dotted key (a."b".c) into parts. */
int tp_key_path(struct tp *p, struct strv *parts);
/* An integer, float or the special floats into t. */
int tp_number(struct tp *p, struct toml *t);

#endif
