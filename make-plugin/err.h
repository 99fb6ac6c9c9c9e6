/* err.h: the last error of the core, for the caller to report. */
#ifndef LAMBDA_ERR_H
#define LAMBDA_ERR_H

#include <stddef.h>

#if defined(__GNUC__)
#define ERR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ERR_PRINTF(a, b)
#endif

/* Record an error message; fallible core functions call this and return -1/NULL. */
void err_set(const char *fmt, ...) ERR_PRINTF(1, 2);
/* Like err_set, appending ": strerror(errno)". */
void err_sys(const char *fmt, ...) ERR_PRINTF(1, 2);
/* Rewrite the last message as FMT's text, the message, then POST (adds context). */
void err_wrap(const char *post, const char *fmt, ...) ERR_PRINTF(2, 3);
/* The last recorded message ("" if none). */
const char *err_get(void);
/* Forget the last error. */
void err_clear(void);

#endif
