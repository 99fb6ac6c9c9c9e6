/* test_buf: the growth and join helpers every module shares (buf.h, walk.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "walk.h"

struct pair {
	int a;
	long b;
};

/* GROW keeps every element while it doubles from the first capacity. */
static void
grow_keeps_elements(void **state)
{
	struct pair *v = NULL;
	size_t n = 0, cap = 0, i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(GROW(v, n, cap, 4), 0);
		assert_true(n < cap);
		v[n].a = (int)i;
		v[n].b = -(long)i;
		n++;
	}
	assert_int_equal(cap, 1024); /* 4, 8, ..., 1024 */
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i].a, (int)i);
		assert_int_equal(v[i].b, -(long)i);
	}
	/* room left: no reallocation */
	assert_int_equal(GROW(v, 1, cap, 4), 0);
	assert_int_equal(cap, 1024);
	free(v);
}

/* An element count whose bytes overflow size_t is refused, the array untouched. */
static void
grow_overflow(void **state)
{
	char *v = NULL;
	size_t cap = SIZE_MAX / 2 + 1;

	(void)state;
	assert_int_equal(vec_grow(&v, cap, &cap, 1, 4), -1);
	assert_non_null(strstr(err_get(), "too large"));
	assert_null(v);
	assert_int_equal(cap, SIZE_MAX / 2 + 1);
}

static void
join_and_count(void **state)
{
	static const char *const words[] = {"a", "bc", "", "d"};
	struct strv sv = {0};
	struct buf b = {0};
	size_t i;

	(void)state;
	assert_int_equal(countof(words), 4);
	assert_int_equal(strv_join(&sv, &b), 0);
	assert_null(b.s); /* nothing appended */
	for (i = 0; i < countof(words); i++)
		assert_int_equal(strv_add(&sv, words[i]), 0);
	assert_int_equal(buf_adds(&b, "x:"), 0);
	assert_int_equal(strv_join(&sv, &b), 0);
	assert_string_equal(b.s, "x:a bc  d");
	strv_free(&sv);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grow_keeps_elements),
		cmocka_unit_test(grow_overflow),
		cmocka_unit_test(join_and_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
