#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture.h"
#include "sam.h"

#define K1 "0123456789abcdef0123456789abcdef"
#define K2 "fedcba9876543210fedcba9876543210"

static int
mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : (int)(st.st_mode & 07777);
}

static void
store_and_place(void **state)
{
	struct strv bins = {0};
	struct buf p = {0};
	char *data;
	size_t len;

	(void)state;
	fx_enter();
	fx_write("t/hello/bootstrap", "hello one");
	fx_write("t/bye/bootstrap", "bye one");
	assert_int_equal(strv_add(&bins, "hello"), 0);
	assert_int_equal(strv_add(&bins, "bye"), 0);
	assert_int_equal(sam_store("s", "x86_64", K1, "t", &bins), 0);
	assert_int_equal(sam_stored("s", "x86_64", K1, "hello", &p), 0);
	assert_string_equal(p.s, "s/x86_64/" K1 "-hello");
	assert_int_equal(mode_of(p.s), 0755);
	assert_int_equal(mode_of("s/x86_64/" K1 "-bye"), 0755);
	assert_int_equal(mode_of("s/.gitignore"), 0644);
	/* another arch is another store */
	assert_int_equal(sam_store("s", "arm64", K1, "t", &bins), 0);
	/* a new key replaces the old entries of its arch, never another arch's */
	fx_write("t/hello/bootstrap", "hello two");
	assert_int_equal(sam_store("s", "x86_64", K2, "t", &bins), 0);
	assert_int_equal(mode_of("s/x86_64/" K1 "-hello"), -1);
	assert_int_equal(mode_of("s/x86_64/" K1 "-bye"), -1);
	assert_int_equal(mode_of("s/arm64/" K1 "-hello"), 0755);
	/* placed by rename, 0755, into a dir made on the way */
	assert_int_equal(sam_place("s/x86_64/" K2 "-hello", "art/Hello"), 9);
	assert_int_equal(mode_of("art/Hello/bootstrap"), 0755);
	data = file_read("art/Hello/bootstrap", &len);
	assert_non_null(data);
	assert_int_equal(len, 9);
	assert_memory_equal(data, "hello two", 9);
	free(data);
	/* a missing bootstrap fails and places nothing */
	assert_int_equal(sam_place("s/x86_64/nope", "art/Bye"), -1);
	assert_int_equal(mode_of("art/Bye/bootstrap"), -1);
	assert_int_equal(strv_add(&bins, "gone"), 0);
	assert_int_equal(sam_store("s", "x86_64", K1, "t", &bins), -1);
	strv_free(&bins);
	buf_free(&p);
	fx_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_and_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
