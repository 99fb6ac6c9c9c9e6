#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "err.h"
#include "fixture.h"
#include "hash.h"

static char *
digest(const char *const *p, size_t n)
{
	static char hex[HASH_HEX + 1];

	assert_int_equal(hash_paths(p, n, hex), 0);
	return hex;
}

/* Golden vectors: computed independently with xxhsum -H2 over the record stream
 * le64(len) path le64(len) content, so the format is pinned, not just stable. */
static void
golden(void **state)
{
	const char *one[] = {"a.txt"};
	const char *two[] = {"d", "a.txt"};
	struct hash *h;
	char hex[HASH_HEX + 1];

	(void)state;
	h = hash_new();
	assert_non_null(h);
	hash_done(h, hex);
	assert_string_equal(hex, "99aa06d3014798d86001c324468d497f");
	fx_enter();
	fx_write("a.txt", "abc");
	fx_write("d/sub/b.c", "");
	assert_string_equal(digest(one, 1), "f481aafd01e4e2cf83ec95f3e478f493");
	assert_string_equal(digest(two, 2), "cc08e361d7542de2326526f26507f3f3");
	fx_leave();
}

static void
order_and_names(void **state)
{
	const char *ab[] = {"x", "y/"}, *ba[] = {"./y", "x"}, *dup[] = {"x", "x", "y"};
	char h1[HASH_HEX + 1];

	(void)state;
	fx_enter();
	fx_write("x", "1");
	fx_write("y/z", "2");
	strcpy(h1, digest(ab, 2));
	assert_string_equal(h1, digest(ba, 2));
	assert_string_equal(h1, digest(dup, 3));
	fx_leave();
}

static void
content_rename_and_mtime(void **state)
{
	const char *t[] = {"t"};
	char h1[HASH_HEX + 1];

	(void)state;
	fx_enter();
	fx_write("t/a", "hello");
	strcpy(h1, digest(t, 1));
	assert_int_equal(utimes("t/a", NULL), 0);
	assert_string_equal(h1, digest(t, 1));
	fx_write("t/a", "hellp");
	assert_string_not_equal(h1, digest(t, 1));
	fx_write("t/a", "hello");
	assert_string_equal(h1, digest(t, 1));
	assert_int_equal(rename("t/a", "t/b"), 0);
	assert_string_not_equal(h1, digest(t, 1));
	fx_leave();
}

static void
skips_state_dirs(void **state)
{
	const char *t[] = {"p"};
	char h1[HASH_HEX + 1];

	(void)state;
	fx_enter();
	fx_write("p/src/main.rs", "fn main() {}");
	strcpy(h1, digest(t, 1));
	fx_write("p/target/debug/x", "junk");
	fx_write("p/.git/HEAD", "ref");
	fx_write("p/.lambda/stamp", "k");
	fx_write("p/src/.git/HEAD", ".git is skipped at any depth");
	assert_string_equal(h1, digest(t, 1));
	/* target/ and .lambda/ below the top are source (a vendored cc crate has src/target/) */
	fx_write("p/src/target/mod.rs", "pub mod linux;");
	assert_string_not_equal(h1, digest(t, 1));
	strcpy(h1, digest(t, 1));
	fx_write("p/src/.lambda", "a file");
	assert_string_not_equal(h1, digest(t, 1));
	strcpy(h1, digest(t, 1));
	fx_write("p/targets/x", "not skipped");
	assert_string_not_equal(h1, digest(t, 1));
	fx_leave();
}

static void
boundaries(void **state)
{
	const char *t[] = {"b"};
	char h1[HASH_HEX + 1];

	(void)state;
	fx_enter();
	/* moving bytes between name and content must change the digest */
	fx_write("b/ab", "c");
	strcpy(h1, digest(t, 1));
	assert_int_equal(remove("b/ab"), 0);
	fx_write("b/a", "bc");
	assert_string_not_equal(h1, digest(t, 1));
	fx_leave();
}

static void
errors(void **state)
{
	const char *missing[] = {"nope/file"};
	const char *unreadable[] = {"secret"};
	char hex[HASH_HEX + 1];

	(void)state;
	fx_enter();
	assert_int_equal(hash_paths(missing, 1, hex), -1);
	assert_non_null(strstr(err_get(), "nope/file"));
	assert_non_null(strstr(err_get(), "No such file"));
	fx_write("secret", "x");
	{
		const char *notdir[] = {"secret/x"};

		/* fails for root too, unlike a chmod 0 file */
		assert_int_equal(hash_paths(notdir, 1, hex), -1);
		assert_non_null(strstr(err_get(), "secret/x"));
	}
	assert_int_equal(chmod("secret", 0), 0);
	if (geteuid() != 0) {
		assert_int_equal(hash_paths(unreadable, 1, hex), -1);
		assert_non_null(strstr(err_get(), "secret"));
	}
	fx_write("d/f", "x");
	assert_int_equal(chmod("d", 0), 0);
	if (geteuid() != 0) {
		const char *d[] = {"d"};

		assert_int_equal(hash_paths(d, 1, hex), -1);
		assert_non_null(strstr(err_get(), "d"));
	}
	assert_int_equal(chmod("d", 0755), 0);
	fx_leave();
}

static void
symlinks(void **state)
{
	const char *t[] = {"s"};
	char h1[HASH_HEX + 1];

	(void)state;
	fx_enter();
	fx_write("s/a", "x");
	strcpy(h1, digest(t, 1));
	/* dangling links and links to dirs are not content */
	assert_int_equal(symlink("nowhere", "s/dangling"), 0);
	assert_int_equal(symlink(".", "s/loop"), 0);
	assert_string_equal(h1, digest(t, 1));
	assert_int_equal(symlink("a", "s/b"), 0);
	assert_string_not_equal(h1, digest(t, 1));
	fx_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden),
		cmocka_unit_test(order_and_names),
		cmocka_unit_test(content_rename_and_mtime),
		cmocka_unit_test(skips_state_dirs),
		cmocka_unit_test(boundaries),
		cmocka_unit_test(errors),
		cmocka_unit_test(symlinks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
