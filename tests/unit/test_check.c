/* test_check: artifact checks on real binaries built now and on patched copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "err.h"
#include "fixture.h"


static char dir[256];

static const char hello_c[] =
	"#include <stdio.h>\n"
	"int main(int argc, char **argv) { printf(\"hello %s\\n\", argv[argc - 1]); return 0; }\n";

/* Path of name in the test directory (a rotating set of buffers, enough for one call). */
static const char *
p(const char *name)
{
	static char bufs[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", dir, name);
	return bufs[i];
}

static int
build(const char *cc, const char *flag, const char *out)
{
	const char *argv[8];
	int n = 0;

	argv[n++] = cc;
	if (flag)
		argv[n++] = flag;
	argv[n++] = "-o";
	argv[n++] = p(out);
	argv[n++] = p("hello.c");
	argv[n] = NULL;
	return fx_run(argv);
}

/* Copy src to dst with the first occurrence of from (len bytes) replaced by to. */
static int
patch(const char *src, const char *dst, const char *from, const char *to, size_t len)
{
	size_t n, i;
	char *d = file_read(p(src), &n);
	int r = -1;

	if (!d)
		return -1;
	for (i = 0; i + len <= n; i++) {
		if (!memcmp(d + i, from, len)) {
			memcpy(d + i, to, len);
			r = file_write_atomic(p(dst), d, n, 0755);
			break;
		}
	}
	if (r < 0)
		fprintf(stderr, "# %s: pattern not found\n", src);
	free(d);
	return r;
}

/* A sparse file of size bytes. */
static int
sparse(const char *name, off_t size, int mode)
{
	int fd = open(p(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, size) < 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/test_check.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	f = fopen(p("hello.c"), "w");
	if (!f)
		return -1;
	fputs(hello_c, f);
	fclose(f);
	if (build("cc", NULL, "dyn") < 0 || build("cc", "-static", "static") < 0 ||
	    build("aarch64-linux-gnu-gcc", NULL, "arm") < 0 ||
	    build("cc", "-shared", "lib.so") < 0 || build("cc", "-c", "obj.o") < 0)
		return -1;
	if (chmod(p("obj.o"), 0755) < 0)
		return -1;
	/* glibc >= 2.34 links __libc_start_main@GLIBC_2.34 into every program: make it
	 * ask for a release newer than al2023's */
	if (patch("dyn", "new", "GLIBC_2.34", "GLIBC_2.35", 11) < 0)
		return -1;
	if (patch("dyn", "musl", "/lib64/ld-linux-x86-64.so.2", "/lib/ld-musl-x86_64.so.1\0\0\0",
	          28) < 0)
		return -1;
	if (patch("dyn", "noexec", "\177ELF", "\177ELF", 4) < 0 || chmod(p("noexec"), 0644) < 0)
		return -1;
	if (sparse("huge", (off_t)CHECK_UNZIPPED_MAX + 1, 0755) < 0 ||
	    sparse("atlimit", (off_t)CHECK_UNZIPPED_MAX, 0755) < 0 ||
	    sparse("big.zip", (off_t)CHECK_ZIP_MAX + 1, 0644) < 0 ||
	    sparse("max.zip", (off_t)CHECK_ZIP_MAX, 0644) < 0 ||
	    sparse("small.zip", 1000, 0644) < 0 || sparse("empty", 0, 0755) < 0)
		return -1;
	f = fopen(p("script"), "w");
	if (!f)
		return -1;
	fputs("#!/bin/sh\necho hi\n", f);
	fclose(f);
	return chmod(p("script"), 0755);
}

static int
teardown(void **state)
{
	const char *argv[] = {"rm", "-rf", dir, NULL};

	(void)state;
	return dir[0] ? fx_run(argv) : 0;
}

/* The check fails with exactly "<dir>/<name>: <msg>". */
static void
expect_msg(const char *name, const char *zip, const char *arch, const char *rt,
           const char *msg)
{
	char want[1024];

	err_clear();
	assert_int_equal(check_artifact(p(name), zip, arch, rt), -1);
	snprintf(want, sizeof(want), "%s: %s", p(name), msg);
	assert_string_equal(err_get(), want);
	assert_null(strchr(err_get(), '\n'));
}

static void
expect_ok(const char *name, const char *zip, const char *arch, const char *rt)
{
	err_clear();
	if (check_artifact(p(name), zip, arch, rt) != 0)
		fail_msg("unexpected error: %s", err_get());
}

static void
test_ok(void **state)
{
	(void)state;
	expect_ok("dyn", NULL, "x86_64", "al2023");
	expect_ok("dyn", "", "x86_64", "al2023");
	expect_ok("dyn", p("small.zip"), "x86_64", "al2023");
	expect_ok("dyn", p("max.zip"), "x86_64", "al2023");
	expect_ok("arm", NULL, "arm64", "al2023");
	/* static binaries carry their own libc: fine on either runtime */
	expect_ok("static", NULL, "x86_64", "al2");
	expect_ok("static", NULL, "x86_64", "al2023");
}

static void
test_wrong_arch(void **state)
{
	(void)state;
	expect_msg("dyn", NULL, "arm64", "al2023",
	           "built for x86_64, function arch is arm64: build with --arch arm64 / "
	           "target aarch64-unknown-linux-gnu");
	expect_msg("arm", NULL, "x86_64", "al2023",
	           "built for arm64, function arch is x86_64: build with --arch x86_64 / "
	           "target x86_64-unknown-linux-gnu");
}

static void
test_not_executable(void **state)
{
	(void)state;
	expect_msg("noexec", NULL, "x86_64", "al2023", "not executable: chmod 0755 it");
	expect_msg("lib.so", NULL, "x86_64", "al2023",
	           "is a shared library, not an executable: build a binary target ([[bin]]) "
	           "named bootstrap");
	expect_msg("obj.o", NULL, "x86_64", "al2023",
	           "is a relocatable object (.o), not an executable: link it into a binary");
	expect_msg("script", NULL, "x86_64", "al2023", "not an ELF file (no \\177ELF magic)");
	expect_msg("empty", NULL, "x86_64", "al2023", "not an ELF file (empty)");
}

static void
test_missing(void **state)
{
	(void)state;
	expect_msg("nothere", NULL, "x86_64", "al2023",
	           "cannot open: No such file or directory");
	err_clear();
	assert_int_equal(check_artifact(dir, NULL, "x86_64", "al2023"), -1);
	assert_err_has("not a regular file");
	err_clear();
	assert_int_equal(check_artifact(p("dyn"), p("nothere.zip"), "x86_64", "al2023"), -1);
	assert_err_has("nothere.zip: cannot stat: No such file or directory");
	err_clear();
	assert_int_equal(check_artifact(p("dyn"), dir, "x86_64", "al2023"), -1);
	assert_err_has("not a regular file");
}

static void
test_glibc_too_new(void **state)
{
	char v[32];

	(void)state;
	expect_msg("new", NULL, "x86_64", "al2023",
	           "needs GLIBC_2.35, al2023 has 2.34: build on an older base image or target "
	           "musl");
	assert_int_equal(check_glibc_needed(p("dyn"), v, sizeof(v)), 0);
	assert_string_equal(v, "GLIBC_2.34");
	expect_msg("dyn", NULL, "x86_64", "al2",
	           "needs GLIBC_2.34, al2 has 2.26: build on an older base image or target musl");
	expect_msg("arm", NULL, "arm64", "al2",
	           "needs GLIBC_2.34, al2 has 2.26: build on an older base image or target musl");
}

static void
test_loader(void **state)
{
	(void)state;
	expect_msg("musl", NULL, "x86_64", "al2023",
	           "dynamic loader /lib/ld-musl-x86_64.so.1 does not exist on Lambda (it has "
	           "/lib64/ld-linux-x86-64.so.2): link against glibc or statically (musl)");
}

static void
test_sizes(void **state)
{
	char msg[512];

	(void)state;
	snprintf(msg, sizeof(msg), "unzipped size %llu bytes exceeds Lambda's limit of "
	         "262144000 bytes (250 MB): build in release mode, strip it, enable LTO",
	         CHECK_UNZIPPED_MAX + 1);
	expect_msg("huge", NULL, "x86_64", "al2023", msg);
	/* exactly at the limit passes the size check (then fails as a non-ELF file) */
	expect_msg("atlimit", NULL, "x86_64", "al2023", "not an ELF file (no \\177ELF magic)");
	err_clear();
	assert_int_equal(check_artifact(p("dyn"), p("big.zip"), "x86_64", "al2023"), -1);
	snprintf(msg, sizeof(msg), "%s: zip size 52428801 bytes exceeds Lambda's direct-upload "
	         "limit of 52428800 bytes (50 MB): shrink the binary (release, strip, LTO) or "
	         "deploy through S3", p("big.zip"));
	assert_string_equal(err_get(), msg);
}

static void
test_bad_args(void **state)
{
	unsigned v[3];

	(void)state;
	err_clear();
	assert_int_equal(check_artifact(p("dyn"), NULL, "aarch64", "al2023"), -1);
	assert_string_equal(err_get(), "unknown arch 'aarch64' (x86_64 or arm64)");
	err_clear();
	assert_int_equal(check_artifact(p("dyn"), NULL, "x86_64", "al1"), -1);
	assert_string_equal(err_get(), "unknown runtime 'al1' (al2023 or al2)");
	assert_int_equal(check_runtime_glibc("al2023", v), 0);
	assert_int_equal(v[0], 2);
	assert_int_equal(v[1], 34);
	assert_int_equal(check_runtime_glibc("al2", v), 0);
	assert_int_equal(v[1], 26);
}

static void
test_glibc_needed(void **state)
{
	char v[32];
	char small[5];

	(void)state;
	assert_int_equal(check_glibc_needed(p("new"), v, sizeof(v)), 0);
	assert_string_equal(v, "GLIBC_2.35");
	assert_int_equal(check_glibc_needed(p("arm"), v, sizeof(v)), 0);
	assert_string_equal(v, "GLIBC_2.34");
	assert_int_equal(check_glibc_needed(p("static"), v, sizeof(v)), 0);
	assert_string_equal(v, "");
	err_clear();
	assert_int_equal(check_glibc_needed(p("dyn"), small, sizeof(small)), -1);
	assert_err_has("buffer too small");
	err_clear();
	assert_int_equal(check_glibc_needed(p("script"), v, sizeof(v)), -1);
	assert_err_has("script: not an ELF file");
	err_clear();
	assert_int_equal(check_glibc_needed(p("nothere"), v, sizeof(v)), -1);
	assert_err_has("nothere: cannot open");
}

/* Copy the fixture src (NULL: an empty file) to rel, making its dirs. */
static void
put(const char *src, const char *rel)
{
	char d[512];
	const char *mk[] = {"mkdir", "-p", d, NULL};
	const char *cp[] = {"cp", "-p", src ? p(src) : "/dev/null", p(rel), NULL};

	snprintf(d, sizeof(d), "%s", p(rel));
	*strrchr(d, '/') = '\0';
	assert_int_equal(fx_run(mk), 0);
	assert_int_equal(fx_run(cp), 0);
}

/* check_path on a package dir: a line per <fn>/bootstrap and per extension, the
 * first bad artifact is the error, an empty dir says to build first. */
static void
test_path(void **state)
{
	struct buf out = {0};
	char want[2048];

	(void)state;
	put("dyn", "pkg/a/bootstrap");
	put("static", "pkg/b/bootstrap");
	put("static", "pkg/extensions/tel");
	put("small.zip", "pkg/extensions.zip");
	put("noexec", "pkg/a/deeper/bootstrap"); /* not <fn>/bootstrap: not looked at */
	put(NULL, "nopkg/x");
	if (check_path(p("pkg"), "x86_64", "al2023", &out) < 0)
		fail_msg("%s", err_get());
	snprintf(want, sizeof(want),
		 "lambda-check: %s/pkg/a/bootstrap: ok (x86_64, GLIBC_2.34, al2023)\n"
		 "lambda-check: %s/pkg/b/bootstrap: ok (x86_64, static, al2023)\n"
		 "lambda-check: %s/pkg/extensions/tel: ok (extension, x86_64, static, al2023)",
		 dir, dir, dir);
	assert_string_equal(out.s, want);
	out.len = 0;
	assert_int_equal(check_path(p("pkg/a"), "x86_64", "al2023", &out), 0);
	assert_non_null(strstr(out.s, "pkg/a/bootstrap: ok (x86_64"));
	out.len = 0;
	assert_int_equal(check_path(p("pkg"), "arm64", "al2023", &out), -1);
	assert_err_has("pkg/a/bootstrap");
	assert_int_equal(check_path(p("nopkg"), "x86_64", "al2023", &out), -1);
	assert_err_has("no <function>/bootstrap to check: build first");
	assert_int_equal(check_path(p("nothere"), "x86_64", "al2023", &out), -1);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_wrong_arch),
		cmocka_unit_test(test_not_executable),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_glibc_too_new),
		cmocka_unit_test(test_loader),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_glibc_needed),
		cmocka_unit_test(test_path),
	};

	/* the fixtures include an arm64 binary, built by the cross compiler */
	fx_need_tool("aarch64-linux-gnu-gcc");
	return cmocka_run_group_tests_name("check", tests, setup, teardown);
}
