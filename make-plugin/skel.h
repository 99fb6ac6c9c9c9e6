/* skel.h: the deps-stage skeleton: what cargo needs to build only the dependencies. */
#ifndef LAMBDA_SKEL_H
#define LAMBDA_SKEL_H

#include "walk.h"

/* Make dst (created if missing) hold the skeleton of the project at src: every
 * manifest-layer file (cargo_layer_file; own versions masked by cargo_layer_read) and
 * a stub for every target cargo must find (lib: empty; bin, build script, example,
 * test, bench: "fn main() {}"). Unchanged files keep their bytes and mtime; files that
 * are no longer part of the skeleton are deleted, with the directories they leave
 * empty. Everything is computed before the first write and each write is atomic.
 * Returns the number of files written or removed (0: nothing changed), -1 on error.
 * The files are those proj_walk lists (exclude: LAMBDA_EXCLUDE's patterns, or NULL). */
int skel_write(const char *src, const char *dst, const struct strv *exclude);

#endif
