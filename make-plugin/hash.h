/* hash.h: XXH3-128 content digests of files and trees. */
#ifndef LAMBDA_HASH_H
#define LAMBDA_HASH_H

#include <stddef.h>

/* Length of a digest in hex, without the NUL. */
#define HASH_HEX 32

/* Digest of the named paths (a directory = every regular file below it, skipping
 * the top-level target/ and .lambda/, and .git). Covers each file's path and content, not mtimes; the result
 * does not depend on the order of paths. hex gets HASH_HEX chars + NUL. */
int hash_paths(const char *const *paths, size_t n, char *hex);

/* Streaming state hidden behind an opaque handle, so callers need not see xxhash.h. */
struct hash;
/* A fresh digest state; NULL on allocation failure. */
struct hash *hash_new(void);
/* Feed a length-prefixed record, so that record boundaries are unambiguous. */
int hash_record(struct hash *h, const void *data, size_t len);
/* Feed a file's bytes as one length-prefixed record; -1 (error names path) on failure. */
int hash_file(struct hash *h, const char *path);
/* Write the hex digest and free the state. */
void hash_done(struct hash *h, char *hex);
/* The digest of one file's bytes (one hash_file record) in hex. */
int hash_file_hex(const char *path, char *hex);

struct strv;
/* One line per regular file below dir (the walk of hash_paths, also skipping the
 * directories in skip: see walk_files_skip), appended to lines in sorted path order:
 * "KIND\tPATH\tHEX", PATH relative, HEX the digest of its content. */
int hash_tree_lines(const char *dir, const struct strv *skip, const char *kind,
		    struct strv *lines);
/* hash_tree_lines with each PATH prefixed by pre and a slash (pre "": none), for a
 * tree that the project reaches at pre (an outside path dependency). */
int hash_tree_lines_at(const char *dir, const struct strv *skip, const char *kind,
		       const char *pre, struct strv *lines);
/* The lines of hash_tree_lines_at for the given files (relative to dir, sorted)
 * instead of a walk: a project's files as proj_list lists them. */
int hash_list_lines(const char *dir, const struct strv *files, const char *kind, const char *pre,
		    struct strv *lines);
#endif
