#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "err.h"
#include "fixture.h"
#include "hash.h"
#include "mhash.h"

static const char *
key(const char *dir)
{
	static char hex[33];

	memset(hex, 'x', sizeof(hex));
	if (mhash_dir(dir, NULL, hex) < 0)
		fail_msg("mhash_dir: %s", err_get());
	return hex;
}

/* A small workspace: two members, a path crate, a lock file, toolchain files. */
static void
project(void)
{
	fx_write("Cargo.toml",
		 "[workspace]\nmembers = [\"app\", \"lib\"]\n"
		 "[workspace.package]\nversion = \"1.0.0\"\n");
	fx_write("app/Cargo.toml",
		 "[package]\nname = \"app\"\nversion.workspace = true\nedition = \"2021\"\n"
		 "[dependencies]\nlib = { path = \"../lib\", version = \"0.1\" }\n"
		 "serde = \"1.0\"\n");
	fx_write("app/src/main.rs", "fn main() {}\n");
	fx_write("lib/Cargo.toml", "[package]\nname = \"lib\"\nversion = \"0.1.0\"\n");
	fx_write("lib/src/lib.rs", "");
	fx_write("Cargo.lock",
		 "version = 3\n\n"
		 "[[package]]\nname = \"app\"\nversion = \"1.0.0\"\n"
		 "dependencies = [\n \"lib\",\n \"serde\",\n]\n\n"
		 "[[package]]\nname = \"lib\"\nversion = \"0.1.0\"\n\n"
		 "[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\n"
		 "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
		 "checksum = \"aa\"\n");
	fx_write("rust-toolchain.toml", "[toolchain]\nchannel = \"1.80\"\n");
	fx_write(".cargo/config.toml", "[net]\noffline = true\n");
}

/* The format is pinned: records (path, masked content) in sorted path order, fed
 * through the same length-prefixed records as hash_paths. */
static void
format(void **state)
{
	static const char *const rec[] = {
		".cargo/config.toml", "[net]\noffline = true\n",
		"Cargo.lock",
		"version = 3\n\n"
		"[[package]]\nname = \"app\"\nversion = \"0.0.0\"\n"
		"dependencies = [\n \"lib\",\n \"serde\",\n]\n\n"
		"[[package]]\nname = \"lib\"\nversion = \"0.0.0\"\n\n"
		"[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\n"
		"source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
		"checksum = \"aa\"\n",
		"Cargo.toml",
		"[workspace]\nmembers = [\"app\", \"lib\"]\n"
		"[workspace.package]\nversion = \"0.0.0\"\n",
		"app/Cargo.toml",
		"[package]\nname = \"app\"\nversion.workspace = true\nedition = \"2021\"\n"
		"[dependencies]\nlib = { path = \"../lib\", version = \"0.0.0\" }\n"
		"serde = \"1.0\"\n",
		"lib/Cargo.toml", "[package]\nname = \"lib\"\nversion = \"0.0.0\"\n",
		"rust-toolchain.toml", "[toolchain]\nchannel = \"1.80\"\n",
	};
	struct hash *h;
	char want[HASH_HEX + 1];
	size_t i;

	(void)state;
	fx_enter();
	project();
	h = hash_new();
	assert_non_null(h);
	for (i = 0; i < sizeof(rec) / sizeof(*rec); i++)
		hash_record(h, rec[i], strlen(rec[i]));
	hash_done(h, want);
	assert_string_equal(key("."), want);
	assert_int_equal(strlen(key(".")), 32);
	assert_int_equal(strspn(key("."), "0123456789abcdef"), 32);
	/* the directory is named as given, but only relative paths are hashed */
	assert_string_equal(key("./"), want);
	fx_leave();
}

static void
own_versions_do_not_count(void **state)
{
	char k0[33];

	(void)state;
	fx_enter();
	project();
	memcpy(k0, key("."), 33);
	/* a release: every own version moves, the lock file follows */
	fx_write("Cargo.toml",
		 "[workspace]\nmembers = [\"app\", \"lib\"]\n"
		 "[workspace.package]\nversion = \"1.1.0\"\n");
	fx_write("lib/Cargo.toml", "[package]\nname = \"lib\"\nversion = \"0.2.0\"\n");
	fx_write("app/Cargo.toml",
		 "[package]\nname = \"app\"\nversion.workspace = true\nedition = \"2021\"\n"
		 "[dependencies]\nlib = { path = \"../lib\", version = \"0.2\" }\n"
		 "serde = \"1.0\"\n");
	fx_write("Cargo.lock",
		 "version = 3\n\n"
		 "[[package]]\nname = \"app\"\nversion = \"1.1.0\"\n"
		 "dependencies = [\n \"lib\",\n \"serde\",\n]\n\n"
		 "[[package]]\nname = \"lib\"\nversion = \"0.2.0\"\n\n"
		 "[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\n"
		 "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
		 "checksum = \"aa\"\n");
	assert_string_equal(key("."), k0);
	/* sources, build state and unrelated files do not count either */
	fx_write("app/src/main.rs", "fn main() { println!(\"changed\"); }\n");
	fx_write("app/src/bin/new.rs", "fn main() {}\n");
	fx_write("README.md", "hello\n");
	fx_write("target/debug/Cargo.toml", "junk\n");
	fx_write(".lambda/skel/Cargo.toml", "junk\n");
	fx_write(".git/Cargo.lock", "junk\n");
	assert_string_equal(key("."), k0);
	fx_leave();
}

static void
dependencies_count(void **state)
{
	static const char *const change[][2] = {
		{"app/Cargo.toml",
		 "[package]\nname = \"app\"\nversion.workspace = true\nedition = \"2021\"\n"
		 "[dependencies]\nlib = { path = \"../lib\", version = \"0.1\" }\n"
		 "serde = \"1.0\"\nlog = \"0.4\"\n"},
		{"app/Cargo.toml",
		 "[package]\nname = \"app\"\nversion.workspace = true\nedition = \"2021\"\n"
		 "[dependencies]\nlib = { path = \"../lib\", version = \"0.1\" }\n"
		 "serde = \"1.1\"\n"},
		{"app/Cargo.toml",
		 "[package]\nname = \"app\"\nversion.workspace = true\nedition = \"2021\"\n"
		 "[dependencies]\nlib = { path = \"../lib\", version = \"0.1\" }\n"},
		{"app/Cargo.toml",
		 "[package]\nname = \"app\"\nversion.workspace = true\nedition = \"2021\"\n"
		 "[dependencies]\nlib = { path = \"../lib\", version = \"0.1\" }\n"
		 "serde = { version = \"1.0\", features = [\"derive\"] }\n"},
		{"Cargo.lock",
		 "version = 3\n\n"
		 "[[package]]\nname = \"app\"\nversion = \"1.0.0\"\n"
		 "dependencies = [\n \"lib\",\n \"serde\",\n]\n\n"
		 "[[package]]\nname = \"lib\"\nversion = \"0.1.0\"\n\n"
		 "[[package]]\nname = \"serde\"\nversion = \"1.0.201\"\n"
		 "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
		 "checksum = \"aa\"\n"},
		{"rust-toolchain.toml", "[toolchain]\nchannel = \"1.81\"\n"},
		{".cargo/config.toml", "[net]\noffline = false\n"},
		{"lib/.cargo/config", "[build]\n"},
		{"rust-toolchain", "1.80\n"},
		{"lib/Cargo.toml", "[package]\nname = \"lib\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"},
		{"extra/Cargo.toml", "[package]\nname = \"extra\"\n"},
	};
	char k0[33], seen[sizeof(change) / sizeof(*change)][33];
	size_t i, j;

	(void)state;
	fx_enter();
	project();
	memcpy(k0, key("."), 33);
	fx_leave();
	for (i = 0; i < sizeof(change) / sizeof(*change); i++) {
		fx_enter();
		project();
		fx_write(change[i][0], change[i][1]);
		memcpy(seen[i], key("."), 33);
		if (!strcmp(seen[i], k0))
			fail_msg("change %zu (%s) kept the key", i, change[i][0]);
		for (j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
		fx_leave();
	}
	/* a renamed manifest-layer file changes the key even with equal content */
	fx_enter();
	project();
	assert_int_equal(rename("rust-toolchain.toml", "rust-toolchain"), 0);
	assert_string_not_equal(key("."), k0);
	fx_leave();
}

static void
single_crate_and_errors(void **state)
{
	char hex[33], k0[33];

	(void)state;
	fx_enter();
	fx_write("Cargo.toml", "[package]\nname = \"solo\"\nversion = \"0.1.0\"\n");
	fx_write("src/main.rs", "fn main() {}\n");
	memcpy(k0, key("."), 33);
	fx_write("Cargo.toml", "[package]\nname = \"solo\"\nversion = \"9.9.9\"\n");
	assert_string_equal(key("."), k0);
	/* comments in a manifest may change the key: allowed, just pinned here */
	fx_write("Cargo.toml", "[package]\nname = \"solo\"\nversion = \"0.1.0\" # x\n");
	assert_string_not_equal(key("."), k0);
	fx_write("Cargo.toml", "[package]\nname = \"solo\"\nversion = \"0.1.0\n");
	assert_int_equal(mhash_dir(".", NULL, hex), -1);
	assert_string_equal(err_get(), "./Cargo.toml:3: newline in a one-line string");
	assert_int_equal(mhash_dir("nowhere", NULL, hex), -1);
	assert_string_equal(err_get(), "nowhere: no Cargo.toml");
	fx_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format),
		cmocka_unit_test(own_versions_do_not_count),
		cmocka_unit_test(dependencies_count),
		cmocka_unit_test(single_crate_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
