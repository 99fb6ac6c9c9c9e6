/* fixture.h: temporary directory trees for the unit tests. */
#ifndef LAMBDA_FIXTURE_H
#define LAMBDA_FIXTURE_H

/* Create a fresh temp dir and chdir into it; returns its path (static storage). */
const char *fx_enter(void);
/* chdir back and remove the temp dir recursively. */
void fx_leave(void);
/* Write a file (creating parent dirs) relative to the current dir. */
void fx_write(const char *path, const char *content);
/* Run argv (searched on PATH); 0 if it exited 0, else -1 with a "# ..." note. */
int fx_run(const char *const *argv);
/* Tests that need TOOL (the arm64 cross compiler) and cannot run without it:
 * when TOOL is not on PATH, print a TAP skip plan ("1..0 # SKIP ...") and exit 0,
 * which the TAP driver counts as SKIP (it would count exit 77 as an ERROR, and
 * cmocka's own skip() as a FAIL). LAMBDA_REQUIRE_CROSS=1 (CI) makes it a failure. */
void fx_need_tool(const char *tool);

/* Fail the test unless the last error (err_get) contains s. */
#define assert_err_has(s) \
	do { \
		if (!strstr(err_get(), (s))) \
			fail_msg("error '%s' does not contain '%s'", err_get(), (s)); \
	} while (0)

#endif
