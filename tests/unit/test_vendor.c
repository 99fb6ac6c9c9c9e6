#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctx.h"
#include "err.h"
#include "fixture.h"
#include "vendor.h"
#include "vlock.h"

/* ctx_sync without patterns; what it left out is not looked at. */
static int
ctx_sync0(const char *dir, const char *home)
{
	struct proj pj;
	int n = ctx_sync(dir, NULL, home, NULL, &pj);

	if (n >= 0)
		proj_close(&pj);
	return n;
}

/* A project with crates vendored in its tree exactly as `cargo vendor` prints. */
static void
project(const char *config)
{
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\nversion = \"1.0.0\"\n\n"
				 "[dependencies]\nquote = \"1\"\n");
	fx_write("p/Cargo.lock", "version = 3\n");
	fx_write("p/src/main.rs", "fn main() {}\n");
	fx_write("p/.cargo/config.toml", config);
	fx_write("p/vendor/quote/Cargo.toml", "[package]\nname = \"quote\"\nversion = \"1.0.47\"\n");
	fx_write("p/vendor/quote/src/lib.rs", "// quote\n");
	fx_write("p/vendor/quote/.cargo-checksum.json", "{\"files\":{},\"package\":\"a\"}");
	fx_write("p/vendor/cc/src/target/apple.rs", "// a nested target/ is source\n");
	fx_write("p/vendor/cc/.cargo-checksum.json", "{\"files\":{},\"package\":\"b\"}");
}

static const char printed[] =
	"[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n"
	"[source.vendored-sources]\ndirectory = \"vendor\"\n";

static void
dirs(void **state)
{
	struct strv d = {0};

	(void)state;
	fx_enter();
	project(printed);
	assert_int_equal(vendor_dirs("p", &d), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0], "vendor");
	strv_free(&d);
	/* ./x/../vendor is the same directory, listed once */
	fx_write("p/.cargo/config", "[source.again]\ndirectory = \"./x/../vendor/\"\n");
	assert_int_equal(vendor_dirs("p", &d), 0);
	assert_int_equal(d.n, 1);
	strv_free(&d);
	assert_int_equal(unlink("p/.cargo/config"), 0);
	fx_leave();
}

static void
bad_configs(void **state)
{
	struct strv d = {0};

	(void)state;
	fx_enter();
	project("[source.v]\ndirectory = \"third_party\"\n");
	assert_int_equal(vendor_dirs("p", &d), -1);
	assert_non_null(strstr(err_get(), "p/.cargo/config.toml: [source.v] directory "
					  "'third_party' does not exist: run 'cargo vendor' again"));
	project("[source.v]\ndirectory = \"../elsewhere\"\n");
	assert_int_equal(vendor_dirs("p", &d), -1);
	assert_non_null(strstr(err_get(), "'../elsewhere' is not a directory inside the project"));
	assert_non_null(strstr(err_get(), "LAMBDA_CARGO_HOME"));
	project("[source.v]\ndirectory = \"/opt/vendor\"\n");
	assert_int_equal(vendor_dirs("p", &d), -1);
	project("[source.v]\ndirectory = 3\n");
	assert_int_equal(vendor_dirs("p", &d), -1);
	assert_non_null(strstr(err_get(), "directory must be a string"));
	strv_free(&d);
	fx_leave();
}

static void
signature(void **state)
{
	struct strv d = {0};
	char a[HASH_HEX + 1], b[HASH_HEX + 1];

	(void)state;
	fx_enter();
	project(printed);
	assert_int_equal(vendor_dirs("p", &d), 0);
	assert_int_equal(vendor_tree_sig("p", &d, a), 0);
	/* a source file is covered by its checksum file, not read */
	fx_write("p/vendor/quote/src/lib.rs", "// changed without a new checksum\n");
	assert_int_equal(vendor_tree_sig("p", &d, b), 0);
	assert_string_equal(a, b);
	fx_write("p/vendor/quote/.cargo-checksum.json", "{\"files\":{},\"package\":\"c\"}");
	assert_int_equal(vendor_tree_sig("p", &d, b), 0);
	assert_string_not_equal(a, b);
	fx_write("p/vendor/stray/lib.rs", "x");
	assert_int_equal(vendor_tree_sig("p", &d, b), -1);
	assert_non_null(strstr(err_get(), "p/vendor/stray: not a vendored crate"));
	strv_free(&d);
	fx_leave();
}

static void
context(void **state)
{
	(void)state;
	fx_enter();
	project(printed);
	assert_true(ctx_sync0("p", NULL) > 0);
	/* whole in ctx/vendor, and nowhere else */
	assert_int_equal(access("p/.lambda/ctx/vendor/vendor/quote/src/lib.rs", F_OK), 0);
	assert_int_equal(access("p/.lambda/ctx/vendor/vendor/cc/src/target/apple.rs", F_OK), 0);
	assert_int_not_equal(access("p/.lambda/ctx/src/vendor", F_OK), 0);
	assert_int_not_equal(access("p/.lambda/ctx/skel/vendor", F_OK), 0);
	assert_int_equal(access("p/.lambda/ctx/skel/.cargo/config.toml", F_OK), 0);
	assert_int_equal(ctx_sync0("p", NULL), 0);
	/* a copy damaged by hand is redone, although the signature file is kept */
	assert_int_equal(unlink("p/.lambda/ctx/vendor/vendor/quote/.cargo-checksum.json"), 0);
	assert_true(ctx_sync0("p", NULL) > 0);
	assert_int_equal(access("p/.lambda/ctx/vendor/vendor/quote/.cargo-checksum.json", F_OK), 0);
	/* no longer vendored: the copy goes */
	fx_write("p/.cargo/config.toml", "[net]\noffline = true\n");
	assert_true(ctx_sync0("p", NULL) > 0);
	assert_int_not_equal(access("p/.lambda/ctx/vendor/vendor/quote/src/lib.rs", F_OK), 0);
	assert_int_equal(access("p/.lambda/ctx/src/vendor/quote/src/lib.rs", F_OK), 0);
	/* never empty, even with nothing vendored: an empty COPY layer can equal
	 * WORKDIR's, which the classic builder cannot export */
	assert_int_equal(access("p/.lambda/ctx/vendor/.lambda-vendor.sig", F_OK), 0);
	fx_leave();
}

/* The lock file's crates from replaced sources must be in vendor/ (by name or
 * name-version); a git source is replaced by its own [source."git+..."] table; a
 * source that is not replaced (an alternative registry) is fetched, not checked. */
static void
lock_against_vendor(void **state)
{
	static const char cfg[] =
		"[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n"
		"[source.\"git+file:///r/greeting\"]\ngit = \"file:///r/greeting\"\n"
		"replace-with = \"vendored-sources\"\n\n"
		"[source.vendored-sources]\ndirectory = \"vendor\"\n\n"
		"[registries]\nmine = { index = \"sparse+https://registry.invalid/\" }\n\n"
		"[net]\noffline = true\n";
	static const char lock[] =
		"version = 3\n\n[[package]]\nname = \"p\"\nversion = \"1.0.0\"\n\n"
		"[[package]]\nname = \"quote\"\nversion = \"1.0.47\"\n"
		"source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n"
		"[[package]]\nname = \"greeting\"\nversion = \"0.1.0\"\n"
		"source = \"git+file:///r/greeting#0123abc\"\n\n"
		"[[package]]\nname = \"other\"\nversion = \"2.0.0\"\n"
		"source = \"sparse+https://registry.invalid/\"\n";

	(void)state;
	fx_enter();
	project(cfg);
	fx_write("p/Cargo.lock", lock);
	fx_write("p/vendor/greeting-0.1.0/.cargo-checksum.json", "{\"files\":{}}");
	assert_int_equal(vlock_check("p"), 0);
	assert_int_equal(rename("p/vendor/greeting-0.1.0", "p/greeting.away"), 0);
	assert_int_equal(vlock_check("p"), -1);
	assert_string_equal(err_get(), "p/Cargo.lock: package 'greeting 0.1.0' "
		"(git+file:///r/greeting#0123abc) is missing from the vendored directory 'vendor' "
		"([source.vendored-sources] of p/.cargo/config.toml): run 'cargo vendor' again and "
		"keep all of its output");
	assert_int_equal(rename("p/greeting.away", "p/vendor/greeting"), 0);
	assert_int_equal(vlock_check("p"), 0);
	assert_int_equal(rename("p/vendor/quote", "p/quote.away"), 0);
	assert_int_equal(vlock_check("p"), -1);
	assert_non_null(strstr(err_get(), "package 'quote 1.0.47' (registry+https://github.com/"
					  "rust-lang/crates.io-index) is missing"));
	/* no config, or no lock file: nothing to check */
	assert_int_equal(unlink("p/Cargo.lock"), 0);
	assert_int_equal(vlock_check("p"), 0);
	fx_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dirs),
		cmocka_unit_test(bad_configs),
		cmocka_unit_test(signature),
		cmocka_unit_test(context),
		cmocka_unit_test(lock_against_vendor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
