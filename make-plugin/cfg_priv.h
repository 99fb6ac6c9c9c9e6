/* cfg_priv.h: what cfg.c and cfg_local.c share; not for other modules. */
#ifndef LAMBDA_CFG_PRIV_H
#define LAMBDA_CFG_PRIV_H

#include <stddef.h>

struct cfg;
struct cfg_in;

/* True if s is NULL or only blanks. */
int cfg_blank(const char *s);
/* Copy s without surrounding blanks into out (n bytes); -1 if it does not fit. */
int cfg_trimmed(const char *s, char *out, size_t n);
/* True if p is a binary name: letters, digits, '_' and '-', at least one. */
int cfg_bin_ok(const char *p);
/* The local loop's settings (function, event, timeout, watch_addr) of in into c,
 * their defaults where blank; -1 with a message naming the setting. */
int cfg_local_parse(const struct cfg_in *in, struct cfg *c);

#endif
