#include <string.h>

#include "quote.h"

/* Bytes that never need quoting in any POSIX shell position we generate. */
static int
quote_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("-_./:=,+@%", c);
}

int
quote_sh(struct buf *out, const char *s)
{
	const char *p;

	if (*s && *s != '=' && *s != '~') {
		for (p = s; *p && quote_safe((unsigned char)*p); p++)
			;
		if (!*p)
			return buf_adds(out, s);
	}
	if (buf_addc(out, '\'') < 0)
		return -1;
	for (p = s; *p; p++) {
		if (*p == '\'') {
			if (buf_adds(out, "'\\''") < 0)
				return -1;
		} else if (buf_addc(out, *p) < 0) {
			return -1;
		}
	}
	return buf_addc(out, '\'');
}

int
quote_argv(struct buf *out, const char *const *argv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((i && buf_addc(out, ' ') < 0) || quote_sh(out, argv[i]) < 0)
			return -1;
	return 0;
}
