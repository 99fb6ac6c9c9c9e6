/* fixture.h: temporary directory trees for the unit tests. */
#ifndef LAMBDA_FIXTURE_H
#define LAMBDA_FIXTURE_H

/* Create a fresh temp dir and chdir into it; returns its path (static storage). */
const char *fx_enter(void);
/* chdir back and remove the temp dir recursively. */
void fx_leave(void);
/* Write a file (creating parent dirs) relative to the current dir. */
void fx_write(const char *path, const char *content);

#endif
