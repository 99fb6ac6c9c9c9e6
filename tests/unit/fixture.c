#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <ftw.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "buf.h"
#include "fixture.h"

extern char **environ;

static char fx_dir[64];
static char fx_old[4096];

const char *
fx_enter(void)
{
	snprintf(fx_dir, sizeof(fx_dir), "/tmp/lambda-unit.XXXXXX");
	assert_non_null(mkdtemp(fx_dir));
	assert_non_null(getcwd(fx_old, sizeof(fx_old)));
	assert_int_equal(chdir(fx_dir), 0);
	return fx_dir;
}

static int
fx_rm(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

void
fx_leave(void)
{
	assert_int_equal(chdir(fx_old), 0);
	assert_int_equal(nftw(fx_dir, fx_rm, 16, FTW_DEPTH | FTW_PHYS), 0);
}

void
fx_write(const char *path, const char *content)
{
	char dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		assert_int_equal(dir_make(dir), 0);
	}
	assert_int_equal(file_write_atomic(path, content, strlen(content), 0644), 0);
}

/* on_path: TOOL is an executable in one of PATH's directories. */
static int
on_path(const char *tool)
{
	const char *path = getenv("PATH");
	char cand[4096];

	while (path && *path) {
		size_t n = strcspn(path, ":");
		/* an empty PATH entry means the current dir */
		snprintf(cand, sizeof(cand), "%.*s/%s", n ? (int)n : 1, n ? path : ".", tool);
		if (access(cand, X_OK) == 0)
			return 1;
		path += n + (path[n] == ':');
	}
	return 0;
}

void
fx_need_tool(const char *tool)
{
	const char *strict = getenv("LAMBDA_REQUIRE_CROSS");

	if (on_path(tool))
		return;
	if (strict && strcmp(strict, "1") == 0) {
		printf("1..1\nnot ok 1 - %s is required (LAMBDA_REQUIRE_CROSS=1) but not on PATH\n",
		       tool);
		exit(1);
	}
	printf("1..0 # SKIP %s not found on PATH (install gcc-aarch64-linux-gnu)\n", tool);
	exit(0);
}

int
fx_run(const char *const *argv)
{
	pid_t pid;
	int st;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0) {
		fprintf(stderr, "# cannot run %s\n", argv[0]);
		return -1;
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "# %s failed\n", argv[0]);
		return -1;
	}
	return 0;
}
