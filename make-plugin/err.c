#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

/* make is single-threaded, so one buffer is enough. */
static char err_msg[1024];

void
err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
}

void
err_sys(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	n = strlen(err_msg);
	snprintf(err_msg + n, sizeof(err_msg) - n, ": %s", strerror(saved));
	errno = saved; /* callers may still look at it (ENOENT is often fine) */
}

void
err_wrap(const char *post, const char *fmt, ...)
{
	char old[sizeof(err_msg)];
	va_list ap;
	size_t n;

	memcpy(old, err_msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	n = strlen(err_msg);
	snprintf(err_msg + n, sizeof(err_msg) - n, "%s%s", old, post);
}

const char *
err_get(void)
{
	return err_msg;
}

void
err_clear(void)
{
	err_msg[0] = '\0';
}
