#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctx.h"
#include "err.h"
#include "fixture.h"
#include "tdir.h"

static const char *MAIN = "fn main() {}\n";

static const char *
skips(const char *dir)
{
	static char out[256];
	struct strv sv = {0};
	size_t i, n = 0;

	out[0] = '\0';
	if (tdir_add(dir, &sv) < 0)
		return NULL;
	for (i = 0; i < sv.n; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? " " : "", sv.v[i]);
	strv_free(&sv);
	return out;
}

/* build.target-dir of the project's config, and CARGO_TARGET_DIR over it. */
static void
configured(void **state)
{
	char abs[600], real[512];

	(void)state;
	unsetenv("CARGO_TARGET_DIR");
	fx_enter();
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\n");
	fx_write("p/src/main.rs", MAIN);
	assert_string_equal(skips("p"), "");
	fx_write("p/.cargo/config.toml", "[build]\ntarget-dir = \"out/./cargo\"\n");
	assert_string_equal(skips("p"), "out/cargo");
	fx_write("p/.cargo/config.toml", "[build]\ntarget-dir = \"../shared-target\"\n");
	assert_string_equal(skips("p"), "");
	fx_write("p/.cargo/config.toml", "build.target-dir = 3\n");
	assert_null(skips("p"));
	assert_non_null(strstr(err_get(), "p/.cargo/config.toml: build.target-dir must be a string"));
	unlink("p/.cargo/config.toml");
	fx_write("p/.cargo/config", "[build]\ntarget-dir = \"t2\"\n");
	assert_string_equal(skips("p"), "t2");
	/* the environment wins; relative to the current directory */
	setenv("CARGO_TARGET_DIR", "p/envt", 1);
	assert_string_equal(skips("p"), "envt");
	assert_non_null(realpath("p", real));
	snprintf(abs, sizeof(abs), "%s/x/y", real);
	setenv("CARGO_TARGET_DIR", abs, 1);
	assert_string_equal(skips("p"), "x/y");
	setenv("CARGO_TARGET_DIR", "/elsewhere", 1);
	assert_string_equal(skips("p"), "");
	unsetenv("CARGO_TARGET_DIR");
	fx_leave();
}

/* The context leaves the configured target dir out; target/ is then left out
 * at the top as always (lambda-prod's packages live there), src/target/ stays. */
static void
context(void **state)
{
	(void)state;
	unsetenv("CARGO_TARGET_DIR");
	fx_enter();
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\n");
	fx_write("p/src/main.rs", MAIN);
	fx_write("p/src/target/mod.rs", "// source\n");
	fx_write("p/.cargo/config.toml", "[build]\ntarget-dir = \"build/out\"\n");
	fx_write("p/build/out/release/p", "binary");
	fx_write("p/build/keep.rs", "// source\n");
	fx_write("p/target/lambda/x86_64/p/bootstrap", "package");
	{
		struct proj pj;

		assert_true(ctx_sync("p", NULL, NULL, NULL, &pj) > 0);
		proj_close(&pj);
	}
	assert_int_equal(access("p/.lambda/ctx/src/build/out", F_OK), -1);
	assert_int_equal(access("p/.lambda/ctx/src/build/keep.rs", F_OK), 0);
	assert_int_equal(access("p/.lambda/ctx/src/target", F_OK), -1);
	assert_int_equal(access("p/.lambda/ctx/src/src/target/mod.rs", F_OK), 0);
	fx_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(configured),
		cmocka_unit_test(context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
