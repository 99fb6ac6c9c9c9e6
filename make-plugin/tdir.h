/* tdir.h: the project's configured cargo target dir, which is build output, not
 * source: CARGO_TARGET_DIR in the environment, else build.target-dir of the
 * project's own .cargo/config.toml (or config). The top-level target/ is skipped
 * anyway (cargo's default, and where lambda-prod puts its packages). */
#ifndef LAMBDA_TDIR_H
#define LAMBDA_TDIR_H

#include "walk.h"

/* Append to skip (and sort it again) the configured target dir of the project at
 * dir, relative to dir, when it lies inside dir; nothing when none is configured or
 * it lies elsewhere. -1 only on a config file that does not parse or a non-string
 * build.target-dir. */
int tdir_add(const char *dir, struct strv *skip);

#endif
