#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfg.h"
#include "ctx.h"
#include "err.h"
#include "fixture.h"
#include "ignore.h"
#include "proj.h"
#include <unistd.h>

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
	assert_string_equal(err_get(), ".dockerignore:2: pattern '[abc' has a '[' without its ']' "
					"(fix the pattern: Docker's .dockerignore syntax)");
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

/* Is s one of the strings of sv? */
static int
has(const struct strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

/* A project's walk with rules: what is listed, what is kept for Cargo, what is
 * masked; LAMBDA_EXCLUDE adds patterns after the file's; the context agrees. */
static void
project_rules(void **state)
{
	struct proj pj;
	struct strv files = {0};
	struct cfg c;
	struct cfg_in in = {0};

	(void)state;
	fx_enter();
	fx_write("Cargo.toml", "[workspace]\nmembers = [\"crates/app\"]\n");
	fx_write("crates/app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n");
	fx_write("crates/app/src/main.rs", "fn main() {}\n");
	fx_write("crates/app/notes.txt", "n\n");
	fx_write(".env", "SECRET=1\n");
	fx_write("node_modules/x/index.js", "js\n");
	fx_write("data/big.bin", "b\n");
	fx_write("data/keep.txt", "k\n");
	fx_write("a/b/debug.log", "l\n");
	fx_write("README.md", "r\n");
	fx_write(".cargo/config.toml", "[net]\noffline = true\n");
	fx_write(".dockerignore", "# secrets\n.env\nnode_modules/\ndata\n!data/keep.txt\n"
				  "**/*.log\ncrates\n.*\n");
	assert_int_equal(proj_open(&pj, ".", NULL), 0);
	assert_int_equal(proj_walk(&pj, ".", NULL, NULL, &files), 0);
	assert_true(has(&files, "Cargo.toml"));
	assert_true(has(&files, "README.md"));
	assert_true(has(&files, "data/keep.txt"));
	assert_true(has(&files, "crates/app/Cargo.toml"));
	assert_true(has(&files, "crates/app/src/main.rs"));
	assert_true(has(&files, ".cargo/config.toml"));
	assert_false(has(&files, ".env"));
	assert_false(has(&files, ".dockerignore"));
	assert_false(has(&files, "node_modules/x/index.js"));
	assert_false(has(&files, "data/big.bin"));
	assert_false(has(&files, "a/b/debug.log"));
	assert_false(has(&files, "crates/app/notes.txt"));
	/* the files Cargo needs, with the pattern that named them */
	assert_true(has(&pj.kept, "crates/app/Cargo.toml\tcrates"));
	assert_true(has(&pj.kept, "crates/app/src/main.rs\tcrates"));
	assert_true(has(&pj.kept, ".cargo/config.toml\t.*"));
	/* masked: a whole directory once, files one by one */
	assert_true(has(&pj.masked, "node_modules"));
	assert_true(has(&pj.masked, ".env"));
	assert_true(has(&pj.masked, "data/big.bin"));
	assert_false(has(&pj.masked, "node_modules/x/index.js"));
	strv_free(&files);
	proj_close(&pj);

	/* LAMBDA_EXCLUDE: validated and cleaned by cfg, applied after the file */
	in.exclude = "  ./README.md\t!data/big.bin  ";
	assert_int_equal(cfg_parse(&in, &c), 0);
	assert_int_equal(c.exclude.n, 2);
	assert_string_equal(c.exclude.v[0], "README.md");
	assert_string_equal(c.exclude.v[1], "!data/big.bin");
	assert_true(ctx_sync(".", NULL, NULL, &c.exclude, &pj) > 0);
	proj_close(&pj);
	assert_int_equal(access(".lambda/ctx/src/data/big.bin", F_OK), 0);
	assert_int_equal(access(".lambda/ctx/src/data/keep.txt", F_OK), 0);
	assert_int_equal(access(".lambda/ctx/src/crates/app/src/main.rs", F_OK), 0);
	assert_int_not_equal(access(".lambda/ctx/src/README.md", F_OK), 0);
	assert_int_not_equal(access(".lambda/ctx/src/.env", F_OK), 0);
	assert_int_not_equal(access(".lambda/ctx/src/node_modules", F_OK), 0);
	cfg_free(&c);

	/* bad patterns: one message naming the setting */
	in.exclude = "ok [bad";
	assert_int_equal(cfg_parse(&in, &c), -1);
	assert_non_null(strstr(err_get(), "LAMBDA_EXCLUDE"));
	in.exclude = "#x";
	assert_int_equal(cfg_parse(&in, &c), -1);
	in.exclude = "!";
	assert_int_equal(cfg_parse(&in, &c), -1);
	/* a bad .dockerignore: proj_open names the file and the line */
	fx_write(".dockerignore", "ok\n\n[x\n");
	assert_int_equal(proj_open(&pj, ".", NULL), -1);
	assert_non_null(strstr(err_get(), ".dockerignore:3:"));
	fx_leave();
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
		cmocka_unit_test(project_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
