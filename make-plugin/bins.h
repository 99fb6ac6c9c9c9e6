/* bins.h: the project's binaries sorted into functions and extensions. */
#ifndef LAMBDA_BINS_H
#define LAMBDA_BINS_H

#include "cmd.h"

/* Fill e->bins (the functions: LAMBDA_FUNCTIONS, default every binary but the
 * extensions) and e->exts (LAMBDA_EXTENSIONS) from the project's binaries at
 * e->dir, checking the settings against them and each other (a SAM entry names a
 * function that is built); -1 with a message naming the setting and the binaries. */
int bins_pick(struct cmd_env *e);

#endif
