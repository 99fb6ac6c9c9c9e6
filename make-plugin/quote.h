/* quote.h: POSIX shell quoting, so generated command lines carry input as data. */
#ifndef LAMBDA_QUOTE_H
#define LAMBDA_QUOTE_H

#include "buf.h"

/* Append s as one shell word: bare if every byte is safe, else in single quotes
 * with embedded quotes as '\''. The empty string becomes ''. */
int quote_sh(struct buf *out, const char *s);
/* Append argv as a command line: quoted words separated by single spaces. */
int quote_argv(struct buf *out, const char *const *argv, size_t n);

#endif
