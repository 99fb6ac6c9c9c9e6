/* cfg_local.c: the settings of the local loop (lambda-invoke, lambda-watch):
 * LAMBDA_FUNCTION, LAMBDA_EVENT, LAMBDA_TIMEOUT, LAMBDA_WATCH_ADDR. */
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "cfg_priv.h"

/* LAMBDA_FUNCTION: one binary name, or blank. */
static int
parse_function(const char *s, char *out, size_t n)
{
	if (cfg_blank(s))
		return 0;
	if (cfg_trimmed(s, out, n) == 0 && cfg_bin_ok(out))
		return 0;
	err_set("LAMBDA_FUNCTION: '%.80s' is not one binary name (letters, digits, '_' and '-')", s);
	return -1;
}

/* LAMBDA_EVENT: a path (no newline) or "-"; whether the file exists is for the
 * command that reads it to say. */
static int
parse_event(const char *s, char *out, size_t n)
{
	if (cfg_blank(s))
		return 0;
	if (cfg_trimmed(s, out, n) < 0 || strchr(out, '\n')) {
		err_set("LAMBDA_EVENT: '%.80s' is not a file name (one line, at most %zu "
			"characters) or '-' (stdin)", s, n - 1);
		return -1;
	}
	return 0;
}

/* A decimal number in [lo, hi]. */
static int
number(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > hi)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* LAMBDA_TIMEOUT: whole seconds, Lambda's range. */
static int
parse_timeout(const char *s, unsigned *out)
{
	char v[16];
	unsigned long n;

	if (cfg_blank(s))
		return 0;
	if (cfg_trimmed(s, v, sizeof(v)) < 0 || number(v, 1, 900, &n) < 0) {
		err_set("LAMBDA_TIMEOUT: invalid value '%.40s' (valid: whole seconds, 1 to 900, "
			"as for Lambda; default 3)", s);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* LAMBDA_WATCH_ADDR: a dotted IPv4 address and a port, or localhost:PORT. */
static int
parse_addr(const char *s, char *out, size_t n)
{
	char v[64], *colon, *p, *dot;
	unsigned long part;
	int parts = 0;

	if (cfg_blank(s))
		return 0;
	if (cfg_trimmed(s, v, sizeof(v)) < 0 || !(colon = strrchr(v, ':')))
		goto bad;
	*colon = '\0';
	if (number(colon + 1, 1, 65535, &part) < 0)
		goto bad;
	if (strcmp(v, "localhost")) {
		for (p = v; p; p = dot ? dot + 1 : NULL, parts++) {
			if ((dot = strchr(p, '.')))
				*dot = '\0';
			if (strlen(p) > 3 || number(p, 0, 255, &part) < 0)
				goto bad;
		}
		if (parts != 4)
			goto bad;
	}
	if (cfg_trimmed(s, out, n) < 0)
		goto bad;
	return 0;
bad:
	err_set("LAMBDA_WATCH_ADDR: invalid value '%.60s' (valid: IPv4:PORT such as "
		"127.0.0.1:9000, or localhost:PORT; port 1 to 65535)", s);
	return -1;
}

int
cfg_local_parse(const struct cfg_in *in, struct cfg *c)
{
	c->timeout = 3;
	snprintf(c->watch_addr, sizeof(c->watch_addr), "%s", "127.0.0.1:9000");
	if (parse_function(in->function, c->function, sizeof(c->function)) < 0 ||
	    parse_event(in->event, c->event, sizeof(c->event)) < 0 ||
	    parse_timeout(in->timeout, &c->timeout) < 0 ||
	    parse_addr(in->watch_addr, c->watch_addr, sizeof(c->watch_addr)) < 0)
		return -1;
	return 0;
}
