/* walk.h: list the regular files below a directory, sorted, skipping build state. */
#ifndef LAMBDA_WALK_H
#define LAMBDA_WALK_H

#include <stddef.h>

struct buf;

/* A growable vector of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};

/* Append a copy of s; -1 on allocation failure. */
int strv_add(struct strv *sv, const char *s);
/* Sort bytewise (strcmp), so results do not depend on locale or readdir order. */
void strv_sort(struct strv *sv);
/* Free every string and the vector. */
void strv_free(struct strv *sv);
/* True if sv holds a string equal to s. */
int strv_has(const struct strv *sv, const char *s);
/* Append the strings of sv to out, separated by single spaces (nothing when empty). */
int strv_join(const struct strv *sv, struct buf *out);

/* True for a directory a walk never enters: .git anywhere; target, .lambda and .aws-sam only
 * at the top (top != 0), where they are the project's output (cargo's, sam build's) and
 * lambda-make's state. */
int walk_skipped(const char *name, int top);
/* Append to out the paths, relative to root, of every regular file below root,
 * sorted bytewise; a symlink to a file inside root counts as that file, one that
 * leaves root or dangles is skipped, symlinked dirs are not followed. */
int walk_files(const char *root, struct strv *out);
/* walk_files that also skips the directories named in skip (paths relative to root,
 * sorted with strv_sort; NULL for none). */
int walk_files_skip(const char *root, const struct strv *skip, struct strv *out);
/* walk_files_skip that also appends to outside (unless NULL) every symlink whose
 * target lies outside root: such a link is never followed by any walk. */
int walk_files_links(const char *root, const struct strv *skip, struct strv *outside,
		     struct strv *out);
/* A walk's filter: 1 to leave out the file or directory rel (dir != 0: not entered),
 * 0 to take it, -1 on error (the walk fails). */
typedef int walk_filter(void *ctx, const char *rel, int dir);
/* walk_files_links that also asks filter (unless NULL) about every directory before
 * entering it and every file before listing it. */
int walk_files_filter(const char *root, const struct strv *skip, struct strv *outside,
		      walk_filter *filter, void *ctx, struct strv *out);

#endif
