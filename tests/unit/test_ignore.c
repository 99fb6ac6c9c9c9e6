#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "ignore.h"

/* Parse a .dockerignore text or fail the test. */
static void
load(struct ign *g, const char *text)
{
	memset(g, 0, sizeof(*g));
	if (ign_parse(g, text, strlen(text), ".dockerignore") < 0)
		fail_msg("ign_parse: %s", err_get());
}

/* Is every path of want (NULL-ended) excluded and every path of keep kept? */
static void
expect(const struct ign *g, const char *const *want, const char *const *keep)
{
	for (; want && *want; want++)
		if (!ign_excluded(g, *want, NULL))
			fail_msg("'%s' should be excluded", *want);
	for (; keep && *keep; keep++)
		if (ign_excluded(g, *keep, NULL))
			fail_msg("'%s' should be kept", *keep);
}

/* The glob itself: *, ?, classes, escapes, ** across directories. */
static void
glob(void **state)
{
	(void)state;
	assert_true(ign_glob("*.md", "README.md"));
	assert_false(ign_glob("*.md", "docs/README.md"));
	assert_true(ign_glob("temp?", "tempa"));
	assert_false(ign_glob("temp?", "temp"));
	assert_false(ign_glob("a?b", "a/b"));
	assert_true(ign_glob("[a-c]x", "bx"));
	assert_false(ign_glob("[a-c]x", "dx"));
	assert_true(ign_glob("[^a-c]x", "dx"));
	assert_false(ign_glob("[^a-c]x", "/x"));
	assert_true(ign_glob("\\*", "*"));
	assert_false(ign_glob("\\*", "a"));
	assert_true(ign_glob("**/*.go", "a.go"));
	assert_true(ign_glob("**/*.go", "x/y/a.go"));
	assert_false(ign_glob("**/*.go", "x/y/a.gox"));
	assert_true(ign_glob("a/**/b", "a/b"));
	assert_true(ign_glob("a/**/b", "a/x/y/b"));
	assert_false(ign_glob("a/**/b", "ab"));
	assert_true(ign_glob("a/**", "a/x/y"));
	assert_true(ign_glob("**", "anything/at/all"));
	assert_false(ign_glob("[ab", "a"));
}

/* The examples of Docker's documentation (the .dockerignore section). */
static void
docker_examples(void **state)
{
	struct ign g;
	const char *ex1[] = {"somedir/temporary.txt", "somedir/temp", "somedir/subdir/temporary.txt",
			     "tempa", "tempb", "somedir/temp/inside.rs", NULL};
	const char *keep1[] = {"temporary.txt", "temp", "a/b/c/temp.txt", NULL};
	const char *ex2[] = {"x.go", "a/b/c.go", NULL};
	const char *keep2[] = {"x.gox", "a/go", NULL};

	(void)state;
	load(&g, "# comment\n*/temp*\n*/*/temp*\ntemp?\n");
	assert_int_equal(g.n, 3);
	expect(&g, ex1, keep1);
	ign_free(&g);

	load(&g, "**/*.go\n");
	expect(&g, ex2, keep2);
	ign_free(&g);

	{
		const char *ex[] = {"CHANGES.md", NULL}, *keep[] = {"README.md", "a/x.md", NULL};

		load(&g, "*.md\n!README.md\n");
		expect(&g, ex, keep);
		ign_free(&g);
	}
	{
		/* last match wins: README-secret.md goes, the other READMEs stay */
		const char *ex[] = {"CHANGES.md", "README-secret.md", NULL};
		const char *keep[] = {"README.md", "README-public.md", NULL};

		load(&g, "*.md\n!README*.md\nREADME-secret.md\n");
		expect(&g, ex, keep);
		ign_free(&g);
	}
	{
		const char *ex[] = {"CHANGES.md", NULL};
		const char *keep[] = {"README.md", "README-secret.md", NULL};

		load(&g, "*.md\nREADME-secret.md\n!README*.md\n");
		expect(&g, ex, keep);
		ign_free(&g);
	}
}

/* Cleaning: leading / and ./, trailing /, blanks, . and .. components. */
static void
cleaning(void **state)
{
	struct ign g;
	const char *ex[] = {"foo/bar", "foo/bar/x", "node_modules", "node_modules/a/b.js",
			    ".env", "db/local.sqlite", "c", NULL};
	const char *keep[] = {"x/foo/bar", "src/node_modules", "src/.env", "db", NULL};

	(void)state;
	load(&g, "/foo/bar\n./node_modules/\n   .env  \n\n# .git\ndb//x/../local.sqlite\n"
		 "a/./../c\n");
	assert_int_equal(g.n, 5);
	assert_string_equal(g.p[0].glob, "foo/bar");
	assert_string_equal(g.p[1].glob, "node_modules");
	assert_string_equal(g.p[3].glob, "db/local.sqlite");
	assert_string_equal(g.p[4].glob, "c");
	expect(&g, ex, keep);
	ign_free(&g);
}

/* A directory pattern covers everything below; an exception re-includes, and the
 * walk must then enter the excluded directory. */
static void
dirs_and_exceptions(void **state)
{
	struct ign g;
	const char *ex[] = {"data/big.bin", "data/sub/x", NULL};
	const char *keep[] = {"data/keep.txt", "database", NULL};
	const char *by;

	(void)state;
	load(&g, "data\n!data/keep.txt\n");
	expect(&g, ex, keep);
	assert_true(ign_excluded(&g, "data", &by));
	assert_string_equal(by, "data");
	assert_true(ign_below(&g, "data"));
	assert_false(ign_below(&g, "data/sub"));
	assert_false(ign_below(&g, "other"));
	ign_free(&g);

	load(&g, "node_modules\n");
	assert_false(ign_below(&g, "node_modules"));
	ign_free(&g);

	load(&g, "logs\n!**/important.log\n");
	assert_true(ign_below(&g, "logs"));
	assert_false(ign_excluded(&g, "logs/a/important.log", NULL));
	assert_true(ign_excluded(&g, "logs/a/other.log", NULL));
	ign_free(&g);

	load(&g, "a/*/c\n!a/b*/c/keep\n");
	assert_true(ign_below(&g, "a/bx/c"));
	assert_false(ign_below(&g, "a/x/c"));
	ign_free(&g);
}

/* A malformed pattern is one error naming the file and line. */
static void
bad(void **state)
{
	struct ign g = {0};

	(void)state;
	assert_int_equal(ign_parse(&g, "ok\n[abc\n", 8, ".dockerignore"), -1);
	assert_non_null(strstr(err_get(), ".dockerignore:2:"));
	assert_non_null(strstr(err_get(), "'['"));
	ign_free(&g);
	assert_int_equal(ign_parse(&g, "!\n", 2, "LAMBDA_EXCLUDE"), -1);
	assert_non_null(strstr(err_get(), "LAMBDA_EXCLUDE:1:"));
	ign_free(&g);
	assert_int_equal(ign_parse(&g, "x\\", 2, "f"), -1);
	ign_free(&g);
	assert_int_equal(ign_check("a[b]c"), 0);
	assert_int_equal(ign_check("a[b"), -1);
	assert_false(ign_excluded(NULL, "x", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(glob),
		cmocka_unit_test(docker_examples),
		cmocka_unit_test(cleaning),
		cmocka_unit_test(dirs_and_exceptions),
		cmocka_unit_test(bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
