/* buf.h: growable byte buffer, always NUL-terminated. */
#ifndef LAMBDA_BUF_H
#define LAMBDA_BUF_H

#include <stddef.h>

#include "err.h"

/* The number of elements of an array (not a pointer). */
#define countof(a) (sizeof(a) / sizeof((a)[0]))

/* Make room for one more element in the array *vp (n in use, *cap allocated, of
 * size bytes each): doubles the capacity, or allocates first elements when empty.
 * -1 (error set) on overflow or out of memory, the array left as it was. */
int vec_grow(void *vp, size_t n, size_t *cap, size_t size, size_t first);
/* vec_grow for the array pointer a: GROW(p->dep, p->ndep, p->dcap, 4). */
#define GROW(a, n, cap, first) vec_grow(&(a), (n), &(cap), sizeof(*(a)), (first))

struct buf {
	char *s;
	size_t len, cap;
};

/* Append n bytes; -1 on allocation failure. */
int buf_addn(struct buf *b, const char *s, size_t n);
/* Append a C string. */
int buf_adds(struct buf *b, const char *s);
/* Append one byte. */
int buf_addc(struct buf *b, char c);
/* Append printf-formatted text. */
int buf_fmt(struct buf *b, const char *fmt, ...) ERR_PRINTF(2, 3);
/* Release the storage and reset to empty. */
void buf_free(struct buf *b);
/* Take ownership of the string (never NULL on success; caller frees). */
char *buf_take(struct buf *b);

/* Read a whole file; NULL (error set) on failure. *len gets its size. */
char *file_read(const char *path, size_t *len);
/* Write data to path atomically (temp file in the same dir, fsync, rename). */
int file_write_atomic(const char *path, const char *data, size_t len, int mode);
/* Write only when the content differs; 1 if written, 0 if unchanged, -1 on error. */
int file_update(const char *path, const char *data, size_t len, int mode);
/* mkdir -p. */
int dir_make(const char *path);

#endif
