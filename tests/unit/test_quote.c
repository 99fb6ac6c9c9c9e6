#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "quote.h"

static const char *
q(const char *s)
{
	static char out[256];
	struct buf b = {0};

	assert_int_equal(quote_sh(&b, s), 0);
	snprintf(out, sizeof(out), "%s", b.s);
	buf_free(&b);
	return out;
}

static void
words(void **state)
{
	(void)state;
	assert_string_equal(q("plain-word_1.2/x:y=z,@%+"), "plain-word_1.2/x:y=z,@%+");
	assert_string_equal(q(""), "''");
	assert_string_equal(q("a b"), "'a b'");
	assert_string_equal(q("it's"), "'it'\\''s'");
	assert_string_equal(q("$(rm -rf /)"), "'$(rm -rf /)'");
	assert_string_equal(q("`x`;|&<>*?[]{}~#!\\\"\n"), "'`x`;|&<>*?[]{}~#!\\\"\n'");
	assert_string_equal(q("~user"), "'~user'");
	assert_string_equal(q("=x"), "'=x'");
}

/* The real test: whatever we quote, a shell gives back byte for byte. */
static void
shell_roundtrip(void **state)
{
	const char *samples[] = {
		"a b", "it's", "'", "''", "$HOME", "a\nb", "*", "-n", "x\\y", "\t",
		"dir with spaces/Cargo.toml", "é ü",
	};
	struct buf cmd = {0};
	char got[256];
	size_t i, n;
	FILE *p;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(*samples); i++) {
		const char *argv[] = {"printf", "%s", samples[i]};

		cmd.len = 0;
		assert_int_equal(quote_argv(&cmd, argv, 3), 0);
		p = popen(cmd.s, "r");
		assert_non_null(p);
		n = fread(got, 1, sizeof(got) - 1, p);
		got[n] = '\0';
		assert_int_equal(pclose(p), 0);
		assert_string_equal(got, samples[i]);
	}
	buf_free(&cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words),
		cmocka_unit_test(shell_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
