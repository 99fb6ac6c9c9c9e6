#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ftw.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "buf.h"
#include "fixture.h"

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
