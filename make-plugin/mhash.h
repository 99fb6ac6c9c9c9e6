/* mhash.h: the cache key of the dependency layer. */
#ifndef LAMBDA_MHASH_H
#define LAMBDA_MHASH_H

#include "walk.h"

/* XXH3-128 (32 lowercase hex chars + NUL in hex) over every manifest-layer file below
 * dir (cargo_layer_file), in sorted path order, each as a length-prefixed path record
 * and a length-prefixed content record, with the workspace's own crate versions masked
 * (cargo_layer_read): a version bump of an own crate keeps the key, any dependency
 * change alters it. The files are those proj_walk lists (exclude: LAMBDA_EXCLUDE's
 * patterns, or NULL). */
int mhash_dir(const char *dir, const struct strv *exclude, char hex[33]);
/* The same files as mhash_dir, one line each appended to lines: "manifest\tPATH\tHEX",
 * HEX the digest of the masked content (for explaining which file changed a key). */
int mhash_lines(const char *dir, const struct strv *exclude, struct strv *lines);

#endif
