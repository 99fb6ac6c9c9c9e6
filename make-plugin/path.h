/* path.h: lexical path helpers: no file system access. */
#ifndef LAMBDA_PATH_H
#define LAMBDA_PATH_H

#include "buf.h"

/* out = a/b, or b alone when a is "". */
int path_cat(struct buf *out, const char *a, const char *b);
/* Normalize base/rel lexically ("." and ".." resolved) into out, relative to the
 * root; 1 if the result escapes the root (leading "../", or rel is absolute). */
int path_norm(const char *base, const char *rel, struct buf *out);

#endif
