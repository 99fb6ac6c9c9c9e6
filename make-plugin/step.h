/* step.h: content keys of the build stages and whether a stage must run. */
#ifndef LAMBDA_STEP_H
#define LAMBDA_STEP_H

#include "cmd.h"
#include "hash.h"

/* The content key of a prod stage (base, deps, build, runtime) for one arch: each
 * key covers its own inputs and the key of the stage before it. cargo_home is the
 * optional offline cargo home whose config.toml the deps stage sees. */
int step_key(const struct cmd_env *e, const char *cargo_home, const char *stage,
	     unsigned arch, char *hex);
/* Path of a stage's stamp file: <dir>/.lambda/state/<stage>-<arch>. */
int step_stamp(const struct cmd_env *e, const char *stage, unsigned arch, struct buf *out);
/* 1 if the stage is up to date (stamp holds the key, and for runtime every package
 * exists), 0 if it must run, -1 on error. */
int step_fresh(const struct cmd_env *e, const char *stage, unsigned arch, const char *key);

#endif
