#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cargo.h"
#include "err.h"
#include "fixture.h"


static void
layer_files(void **state)
{
	(void)state;
	assert_true(cargo_layer_file("Cargo.toml"));
	assert_true(cargo_layer_file("a/b/Cargo.toml"));
	assert_true(cargo_layer_file("Cargo.lock"));
	assert_true(cargo_layer_file("rust-toolchain"));
	assert_true(cargo_layer_file("rust-toolchain.toml"));
	assert_true(cargo_layer_file(".cargo/config"));
	assert_true(cargo_layer_file(".cargo/config.toml"));
	assert_true(cargo_layer_file("sub/.cargo/config.toml"));
	assert_false(cargo_layer_file("x.cargo/config.toml"));
	assert_false(cargo_layer_file("config.toml"));
	assert_false(cargo_layer_file("cargo/config"));
	assert_false(cargo_layer_file("Cargo.toml.orig"));
	assert_false(cargo_layer_file("src/main.rs"));
	assert_false(cargo_layer_file("mycargo.toml"));
}

static char *
layer(const struct cargo_ws *ws, const char *rel)
{
	struct buf b = {0};

	if (cargo_layer_read(ws, rel, &b) < 0)
		fail_msg("cargo_layer_read %s: %s", rel, err_get());
	return buf_take(&b);
}

static void
masking(void **state)
{
	struct cargo_ws *ws;
	char *s;

	(void)state;
	fx_enter();
	fx_write("Cargo.toml",
		 "[workspace]\nmembers = [\"a\", \"b\"]\n"
		 "[workspace.package]\nversion = \"2.0.0\" # shared\n"
		 "[workspace.dependencies]\nb = { version = \"2\", path = \"b\" }\n"
		 "serde = { version = \"1.0\" }\n"
		 "[patch.crates-io]\npatched = { path = \"p\" }\n");
	fx_write("a/Cargo.toml",
		 "[package]\nname = \"a\"\nversion = \"1.4.2\"\n\n"
		 "[dependencies]\nb = { workspace = true }\n"
		 "p = { path = \"../p\", version = \"0.9\", package = \"patched\" }\n"
		 "serde = \"1.0.100\"\n"
		 "[build-dependencies.c]\npath = '../c'\nversion = '=7.0.0'\n"
		 "[target.'cfg(unix)'.dependencies]\nd = { path = \"../d\", version = \"1\" }\n");
	fx_write("b/Cargo.toml", "[package]\nname = \"b\"\nversion.workspace = true\n");
	fx_write("c/Cargo.toml", "[package]\nname = \"c\"\nversion = \"7.0.0\"\n");
	fx_write("d/Cargo.toml", "[package]\nname = \"d\"\nversion = \"1.0.0\"\n");
	fx_write("p/Cargo.toml", "[package]\nname = \"patched\"\nversion = \"0.9.1\"\n");
	fx_write("other/Cargo.toml", "[package]\nname = \"other\"\nversion = \"5.0.0\"\n");
	fx_write("Cargo.lock",
		 "version = 3\n\n"
		 "[[package]]\nname = \"a\"\nversion = \"1.4.2\"\ndependencies = [\n"
		 " \"b\",\n \"c 7.0.0\",\n \"c 7.0.0 (registry+https://x)\",\n \"serde\",\n]\n\n"
		 "[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n\n"
		 "[[package]]\nname = \"c\"\nversion = \"7.0.0\"\n\n"
		 "[[package]]\nname = \"c\"\nversion = \"7.0.0\"\n"
		 "source = \"registry+https://x\"\nchecksum = \"ab\"\n\n"
		 "[[package]]\nname = \"patched\"\nversion = \"0.9.1\"\n\n"
		 "[[package]]\nname = \"serde\"\nversion = \"1.0.100\"\n"
		 "source = \"registry+https://x\"\n");
	fx_write("rust-toolchain", "1.80\n");
	assert_int_equal(cargo_load(".", &ws), 0);
	s = layer(ws, "Cargo.toml");
	assert_string_equal(s,
		 "[workspace]\nmembers = [\"a\", \"b\"]\n"
		 "[workspace.package]\nversion = \"0.0.0\" # shared\n"
		 "[workspace.dependencies]\nb = { version = \"0.0.0\", path = \"b\" }\n"
		 "serde = { version = \"1.0\" }\n"
		 "[patch.crates-io]\npatched = { path = \"p\" }\n");
	free(s);
	s = layer(ws, "a/Cargo.toml");
	/* the patched crate keeps its version, so the requirement on it stays too */
	assert_string_equal(s,
		 "[package]\nname = \"a\"\nversion = \"0.0.0\"\n\n"
		 "[dependencies]\nb = { workspace = true }\n"
		 "p = { path = \"../p\", version = \"0.9\", package = \"patched\" }\n"
		 "serde = \"1.0.100\"\n"
		 "[build-dependencies.c]\npath = '../c'\nversion = \"0.0.0\"\n"
		 "[target.'cfg(unix)'.dependencies]\nd = { path = \"../d\", version = \"0.0.0\" }\n");
	free(s);
	s = layer(ws, "b/Cargo.toml");
	assert_string_equal(s, "[package]\nname = \"b\"\nversion.workspace = true\n");
	free(s);
	s = layer(ws, "p/Cargo.toml");
	assert_string_equal(s, "[package]\nname = \"patched\"\nversion = \"0.9.1\"\n");
	free(s);
	/* not part of the workspace: as is */
	s = layer(ws, "other/Cargo.toml");
	assert_string_equal(s, "[package]\nname = \"other\"\nversion = \"5.0.0\"\n");
	free(s);
	s = layer(ws, "Cargo.lock");
	assert_string_equal(s,
		 "version = 3\n\n"
		 "[[package]]\nname = \"a\"\nversion = \"0.0.0\"\ndependencies = [\n"
		 " \"b\",\n \"c 0.0.0\",\n \"c 7.0.0 (registry+https://x)\",\n \"serde\",\n]\n\n"
		 "[[package]]\nname = \"b\"\nversion = \"0.0.0\"\n\n"
		 "[[package]]\nname = \"c\"\nversion = \"0.0.0\"\n\n"
		 "[[package]]\nname = \"c\"\nversion = \"7.0.0\"\n"
		 "source = \"registry+https://x\"\nchecksum = \"ab\"\n\n"
		 "[[package]]\nname = \"patched\"\nversion = \"0.9.1\"\n\n"
		 "[[package]]\nname = \"serde\"\nversion = \"1.0.100\"\n"
		 "source = \"registry+https://x\"\n");
	free(s);
	s = layer(ws, "rust-toolchain");
	assert_string_equal(s, "1.80\n");
	free(s);
	/* a broken lock file is reported with its line */
	fx_write("Cargo.lock", "version = 3\n[[package]\n");
	{
		struct buf b = {0};

		assert_int_equal(cargo_layer_read(ws, "Cargo.lock", &b), -1);
		assert_string_equal(err_get(),
				    "./Cargo.lock:2: expected ']]' to close the table header");
		assert_int_equal(cargo_layer_read(ws, "missing/Cargo.toml", &b), -1);
		buf_free(&b);
	}
	cargo_free(ws);
	fx_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layer_files),
		cmocka_unit_test(masking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
