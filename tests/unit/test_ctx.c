#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "ctx.h"
#include "hash.h"
#include "fixture.h"

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

static char *
slurp(const char *p)
{
	size_t n;

	return file_read(p, &n);
}

static void
mirror(void **state)
{
	struct stat st;
	char *s;

	(void)state;
	fx_enter();
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\nversion = \"1.0.0\"\n");
	fx_write("p/src/main.rs", "fn main() {}\n");
	fx_write("p/target/junk", "x");
	fx_write("p/sub/deep/f.txt", "deep");
	fx_write("p/src/target/mod.rs", "pub mod apple;\n");
	assert_int_equal(chmod("p/src/main.rs", 0755), 0);
	assert_true(ctx_mirror("p", "m", 0) == 4);
	/* a nested target/ is the project's source, not its output */
	assert_int_equal(access("m/src/target/mod.rs", F_OK), 0);
	assert_int_equal(stat("m/src/main.rs", &st), 0);
	assert_true(st.st_mode & 0100);
	assert_int_not_equal(access("m/target/junk", F_OK), 0);
	assert_int_equal(ctx_mirror("p", "m", 0), 0);
	/* content decides, even when size and mtime match */
	fx_write("p/sub/deep/f.txt", "DEEP");
	assert_int_equal(ctx_mirror("p", "m", 0), 1);
	s = slurp("m/sub/deep/f.txt");
	assert_string_equal(s, "DEEP");
	free(s);
	/* removed files and the dirs they leave go */
	assert_int_equal(unlink("p/sub/deep/f.txt"), 0);
	assert_int_equal(ctx_mirror("p", "m", 0), 1);
	assert_int_not_equal(access("m/sub", F_OK), 0);
	fx_leave();
}

/* tools/ mirrors the image's helper scripts, executable bits kept; none: emptied. */
static void
tools_mirrored(void **state)
{
	struct proj pj;
	struct stat st;
	char *s;

	(void)state;
	fx_enter();
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\nversion = \"1.0.0\"\n");
	fx_write("p/src/main.rs", "fn main() {}\n");
	fx_write("img/lambda-cargo", "#!/bin/sh\n");
	assert_int_equal(chmod("img/lambda-cargo", 0755), 0);
	assert_true(ctx_sync("p", "img", NULL, NULL, &pj) > 0);
	proj_close(&pj);
	s = slurp("p/.lambda/ctx/tools/lambda-cargo");
	assert_string_equal(s, "#!/bin/sh\n");
	free(s);
	assert_int_equal(stat("p/.lambda/ctx/tools/lambda-cargo", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(ctx_sync("p", "img", NULL, NULL, &pj), 0);
	proj_close(&pj);
	assert_int_equal(ctx_sync0("p", NULL), 1);
	assert_int_not_equal(access("p/.lambda/ctx/tools/lambda-cargo", F_OK), 0);
	assert_int_equal(stat("p/.lambda/ctx/tools", &st), 0);
	fx_leave();
}

static void
sync_and_home_signature(void **state)
{
	char *s;

	(void)state;
	fx_enter();
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\nversion = \"1.0.0\"\n");
	fx_write("p/src/main.rs", "fn main() {}\n");
	fx_write("home/config.toml", "[net]\noffline = true\n");
	fx_write("home/vendor/itoa/.cargo-checksum.json", "{\"files\":{}}");
	fx_write("home/vendor/itoa/src/lib.rs", "// itoa");
	assert_true(ctx_sync0("p", "home") > 0);
	s = slurp("p/.lambda/ctx/cargo-home/vendor/itoa/src/lib.rs");
	assert_string_equal(s, "// itoa");
	free(s);
	assert_int_equal(access("p/.lambda/ctx/skel/src/main.rs", F_OK), 0);
	assert_int_equal(access("p/.lambda/ctx/src/src/main.rs", F_OK), 0);
	/* .lambda/ keeps itself out of git */
	s = slurp("p/.lambda/.gitignore");
	assert_string_equal(s, "*\n");
	free(s);
	assert_int_equal(ctx_sync0("p", "home"), 0);
	/* a crate's checksum file changing is a new signature: mirrored again */
	fx_write("home/vendor/itoa/src/lib.rs", "// itoa 2");
	fx_write("home/vendor/itoa/.cargo-checksum.json", "{\"files\":{\"2\":1}}");
	assert_int_equal(ctx_sync0("p", "home"), 2);
	s = slurp("p/.lambda/ctx/cargo-home/vendor/itoa/src/lib.rs");
	assert_string_equal(s, "// itoa 2");
	free(s);
	/* no cargo home: the mirror is emptied */
	assert_true(ctx_sync0("p", "") > 0);
	assert_int_not_equal(access("p/.lambda/ctx/cargo-home/config.toml", F_OK), 0);
	/* errors name the path */
	assert_int_equal(ctx_sync0("nope", NULL), -1);
	fx_leave();
}

/* Builders judge context files by size and mtime: a skeleton edit that keeps the
 * size must still move the mtime, and equal content must keep it. */
static void
skeleton_times_follow_content(void **state)
{
	struct stat a, b;

	(void)state;
	fx_enter();
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\nversion = \"1.0.0\"\n\n[dependencies]\nliba = { path = \"a\" }\n");
	fx_write("p/src/main.rs", "fn main() {}\n");
	fx_write("p/a/Cargo.toml", "[package]\nname = \"liba\"\nversion = \"1.0.0\"\n");
	fx_write("p/a/src/lib.rs", "");
	fx_write("p/b/Cargo.toml", "[package]\nname = \"libb\"\nversion = \"1.0.0\"\n");
	fx_write("p/b/src/lib.rs", "");
	assert_true(ctx_sync0("p", NULL) > 0);
	assert_int_equal(stat("p/.lambda/ctx/skel/Cargo.toml", &a), 0);
	assert_true(a.st_mtime < 1500000000);
	/* same size, different content */
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\nversion = \"1.0.0\"\n\n[dependencies]\nlibb = { path = \"b\" }\n");
	assert_true(ctx_sync0("p", NULL) > 0);
	assert_int_equal(stat("p/.lambda/ctx/skel/Cargo.toml", &b), 0);
	assert_int_equal(a.st_size, b.st_size);
	assert_int_not_equal(a.st_mtime, b.st_mtime);
	/* back to the first content: back to the first time */
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\nversion = \"1.0.0\"\n\n[dependencies]\nliba = { path = \"a\" }\n");
	assert_true(ctx_sync0("p", NULL) > 0);
	assert_int_equal(stat("p/.lambda/ctx/skel/Cargo.toml", &b), 0);
	assert_int_equal(a.st_mtime, b.st_mtime);
	fx_leave();
}

/* A symlink never carries a file from outside the project into the context or a
 * key; one to a file inside counts as that file; the outside ones are named. */
static void
links_stay_inside(void **state)
{
	struct proj away;
	const char *p[] = {"p"};
	char h1[HASH_HEX + 1], h2[HASH_HEX + 1];
	char *s;

	(void)state;
	fx_enter();
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\nversion = \"1.0.0\"\n");
	fx_write("p/src/main.rs", "fn main() {}\n");
	fx_write("secret", "TOPSECRET-aws-key\n");
	assert_int_equal(symlink("../../secret", "p/src/creds"), 0);
	assert_int_equal(symlink("main.rs", "p/src/also.rs"), 0);
	assert_int_equal(symlink("nowhere", "p/dangling"), 0);
	assert_true(ctx_sync("p", NULL, NULL, NULL, &away) > 0);
	assert_int_equal(away.outside.n, 1);
	assert_string_equal(away.outside.v[0], "src/creds");
	assert_int_not_equal(access("p/.lambda/ctx/src/src/creds", F_OK), 0);
	assert_int_not_equal(access("p/.lambda/ctx/src/dangling", F_OK), 0);
	s = slurp("p/.lambda/ctx/src/src/also.rs");
	assert_string_equal(s, "fn main() {}\n");
	free(s);
	/* the outside file is in no key either */
	assert_int_equal(hash_paths(p, 1, h1), 0);
	fx_write("secret", "TOPSECRET-rotated\n");
	assert_int_equal(hash_paths(p, 1, h2), 0);
	assert_string_equal(h1, h2);
	proj_close(&away);
	fx_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mirror),
		cmocka_unit_test(sync_and_home_signature),
		cmocka_unit_test(tools_mirrored),
		cmocka_unit_test(skeleton_times_follow_content),
		cmocka_unit_test(links_stay_inside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
