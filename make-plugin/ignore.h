/* ignore.h: Docker's .dockerignore patterns, matched against paths relative to the
 * project root ("a/b/c", no leading "./"). */
#ifndef LAMBDA_IGNORE_H
#define LAMBDA_IGNORE_H

#include <stddef.h>

/* One pattern, cleaned like Docker cleans it (no leading "/" or "./", no trailing
 * "/", "." and ".." resolved); neg: a "!" exception. */
struct ign_pat {
	char *glob;
	int neg;
};

/* An ordered pattern list: the last pattern matching a path decides. */
struct ign {
	struct ign_pat *p;
	size_t n, cap;
	int negs; /* how many exceptions: without one, an excluded dir is never entered */
};

/* Does the whole of s match the glob pat? "*" and "?" never match "/", "[...]" is a
 * class ("^" negates, "a-z" ranges), "\" escapes, "**" matches any number of
 * directories ("**" + "/" also none). 1 or 0; a malformed pattern never matches. */
int ign_glob(const char *pat, const char *s);
/* 0 if pat is well formed (every "[" closed, no trailing "\"), -1 with a message. */
int ign_check(const char *pat);
/* Add one .dockerignore line: comments ("#" first), blank lines are skipped;
 * surrounding blanks trimmed; "!" makes an exception. -1 for a malformed pattern. */
int ign_add(struct ign *g, const char *line);
/* Add every line of text (a .dockerignore's content); -1 names the bad line. */
int ign_parse(struct ign *g, const char *text, size_t len, const char *origin);
/* 1 if rel is excluded: the last pattern matching rel or one of its parent dirs is
 * not an exception. *by (unless NULL) gets that pattern. */
int ign_excluded(const struct ign *g, const char *rel, const char **by);
/* 1 if an exception could re-include something below the directory rel, so a walk
 * must enter it even though rel itself is excluded. */
int ign_below(const struct ign *g, const char *rel);
/* Release the patterns. */
void ign_free(struct ign *g);

#endif
