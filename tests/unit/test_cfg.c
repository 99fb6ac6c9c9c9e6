#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cfg.h"

static char out[512];

/* Parse the settings and render the whole record, or return NULL on error. */
static const char *
record(const char *arch, const char *runtime, const char *name, const char *flags,
       const char *fns)
{
	struct cfg_in in = {.arch = arch, .runtime = runtime, .container = name,
			    .cargo_flags = flags, .functions = fns};
	struct buf b = {0};
	struct cfg c;

	if (cfg_parse(&in, &c) < 0)
		return NULL;
	assert_int_equal(cfg_format(&c, &b), 0);
	cfg_free(&c);
	snprintf(out, sizeof(out), "%s", b.s);
	buf_free(&b);
	return out;
}

static void
defaults(void **state)
{
	(void)state;
	assert_string_equal(record(NULL, NULL, NULL, NULL, NULL),
			    "target_arch=x86_64 targets=x86_64-unknown-linux-gnu runtime=al2023 "
			    "container_name=lambda-rust-dev epoch=315532800 own_dir=.lambda bin_dir=.lambda/bin "
			    "pkg_dir=target/lambda dev_dir=target/lambda-dev functions= cargo_flags=");
	assert_string_equal(record("\t", "", "", " ", ""),
			    "target_arch=x86_64 targets=x86_64-unknown-linux-gnu runtime=al2023 "
			    "container_name=lambda-rust-dev epoch=315532800 own_dir=.lambda bin_dir=.lambda/bin "
			    "pkg_dir=target/lambda dev_dir=target/lambda-dev functions= cargo_flags=");
}

static void
normalizes(void **state)
{
	(void)state;
	assert_string_equal(record("arm64 x86_64 arm64", "al2", "my.box-1",
				   "--locked  --features=a,b", "hello  api"),
			    "target_arch=x86_64,arm64 "
			    "targets=x86_64-unknown-linux-gnu,aarch64-unknown-linux-gnu runtime=al2 "
			    "container_name=my.box-1 epoch=315532800 own_dir=.lambda bin_dir=.lambda/bin "
			    "pkg_dir=target/lambda dev_dir=target/lambda-dev functions=hello,api "
			    "cargo_flags=--locked --features=a,b");
	assert_non_null(record("all", NULL, NULL, NULL, NULL));
	assert_non_null(strstr(out, "target_arch=x86_64,arm64"));
	assert_non_null(record("both", NULL, NULL, NULL, NULL));
	assert_non_null(strstr(out, "target_arch=x86_64,arm64"));
}

static void
fields(void **state)
{
	struct cfg_in in = {.arch = "x86_64 arm64", .cargo_flags = "-v"};
	struct cfg_in loud = {.verbose = " yes "};
	struct cfg_in bad = {.verbose = "2"};
	enum cfg_mode m;
	struct buf b = {0};
	struct cfg c;

	(void)state;
	assert_int_equal(cfg_parse(&loud, &c), 0);
	assert_int_equal(cfg_field(&c, "verbose", &b), 0);
	assert_string_equal(b.s, "true");
	b.len = 0;
	cfg_free(&c);
	assert_int_equal(cfg_parse(&bad, &c), -1);
	assert_non_null(strstr(err_get(), "LAMBDA_VERBOSE: invalid value '2'"));
	assert_int_equal(cfg_parse(&in, &c), 0);
	assert_int_equal(cfg_field(&c, "verbose", &b), 0);
	assert_string_equal(b.s, "false");
	b.len = 0;
	assert_int_equal(cfg_field(&c, "target_arch", &b), 0);
	assert_string_equal(b.s, "x86_64 arm64");
	b.len = 0;
	assert_int_equal(cfg_field(&c, "targets", &b), 0);
	assert_string_equal(b.s, "x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu");
	assert_int_equal(cfg_field(&c, "nope", &b), -1);
	assert_non_null(strstr(err_get(), "valid: target_arch"));
	cfg_free(&c);
	buf_free(&b);
	assert_int_equal(cfg_arch("arm64"), CFG_ARM64);
	assert_int_equal(cfg_arch("aarch64"), 0);
	assert_int_equal(cfg_arch_set(" arm64  x86_64 "), CFG_X86_64 | CFG_ARM64);
	assert_int_equal(cfg_arch_set("all"), CFG_X86_64 | CFG_ARM64);
	assert_int_equal(cfg_arch_set("both arm64"), CFG_X86_64 | CFG_ARM64);
	assert_int_equal(cfg_arch_set("arm64"), CFG_ARM64);
	assert_int_equal(cfg_arch_set(" "), CFG_X86_64);
	assert_int_equal(cfg_arch_set("x86_64 sparc"), 0);
	assert_int_equal(cfg_arch_set("aarch64"), 0);
	b.len = 0;
	assert_int_equal(cfg_arch_names(CFG_ARM64, &b), 0);
	assert_string_equal(b.s, "arm64");
	b.len = 0;
	assert_int_equal(cfg_arch_names(0, &b), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	assert_string_equal(cfg_triple(CFG_ARM64), "aarch64-unknown-linux-gnu");
	assert_string_equal(cfg_arch_name(CFG_X86_64), "x86_64");
	assert_int_equal(cfg_mode("docker", &m), 0);
	assert_int_equal(m, CFG_DOCKER);
	assert_int_equal(cfg_mode("fast", &m), -1);
}

/* Each bad value fails with a message naming the setting and the valid values. */
static void
rejects(void **state)
{
	static const struct {
		const char *v[5];
		const char *msg;
	} bad[] = {
		{{"i386"}, "LAMBDA_ARCH: invalid value 'i386' (valid: x86_64, arm64"},
		{{"x86_64;rm"}, "LAMBDA_ARCH"},
		{{NULL, "al1"}, "LAMBDA_RUNTIME: invalid value 'al1' (valid: al2023, al2)"},
		{{NULL, NULL, "-dash"}, "LAMBDA_CONTAINER: invalid container name"},
		{{NULL, NULL, "a b"}, "LAMBDA_CONTAINER"},
		{{NULL, NULL, "a/b"}, "LAMBDA_CONTAINER"},
		{{NULL, NULL, NULL, "--features 'x'"}, "LAMBDA_CARGO_FLAGS: "},
		{{NULL, NULL, NULL, "--x $(rm -rf /)"}, "LAMBDA_CARGO_FLAGS"},
		{{NULL, NULL, NULL, "--target=foo"}, "'--target=foo' is set by lambda-make"},
		{{NULL, NULL, NULL, "--release"}, "'--release' is set by lambda-make"},
		{{NULL, NULL, NULL, "-Zbuild-std"}, "'-Zbuild-std' is set by"},
		{{NULL, NULL, NULL, "--message-format=short"}, "'--message-format=short' is set by"},
		{{NULL, NULL, NULL, "locked"}, "is not a flag"},
		{{NULL, NULL, NULL, NULL, "a.b"}, "LAMBDA_FUNCTIONS"},
	};
	char longname[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		const char *const *v = bad[i].v;

		if (record(v[0], v[1], v[2], v[3], v[4]) != NULL)
			fail_msg("case %zu accepted", i);
		if (!strstr(err_get(), bad[i].msg))
			fail_msg("case %zu: got '%s'", i, err_get());
	}
	memset(longname, 'a', 129);
	longname[129] = '\0';
	assert_null(record(NULL, NULL, longname, NULL, NULL));
	longname[128] = '\0';
	assert_non_null(record(NULL, NULL, longname, NULL, NULL));
	/* a flag value may follow its flag as a separate word */
	assert_non_null(record(NULL, NULL, NULL, "--features serde", NULL));
}

/* The lambda-invoke / lambda-watch settings: defaults, normalised values, and one
 * message naming the setting and its valid values for each bad one. */
static void
local_settings(void **state)
{
	static const struct {
		const char *v[4];
		const char *msg;
	} bad[] = {
		{{"a b"}, "LAMBDA_FUNCTION: 'a b' is not one binary name"},
		{{"x;y"}, "LAMBDA_FUNCTION"},
		{{NULL, "a\nb"}, "LAMBDA_EVENT"},
		{{NULL, NULL, "0"}, "LAMBDA_TIMEOUT: invalid value '0' (valid: whole seconds, 1 to 900"},
		{{NULL, NULL, "901"}, "LAMBDA_TIMEOUT"},
		{{NULL, NULL, "3s"}, "LAMBDA_TIMEOUT"},
		{{NULL, NULL, "99999999999999999999"}, "LAMBDA_TIMEOUT"},
		{{NULL, NULL, NULL, "9000"}, "LAMBDA_WATCH_ADDR: invalid value '9000' (valid: IPv4:PORT"},
		{{NULL, NULL, NULL, "127.0.0.1:0"}, "LAMBDA_WATCH_ADDR"},
		{{NULL, NULL, NULL, "127.0.0.1:65536"}, "LAMBDA_WATCH_ADDR"},
		{{NULL, NULL, NULL, "1.2.3:80"}, "LAMBDA_WATCH_ADDR"},
		{{NULL, NULL, NULL, "1.2.3.256:80"}, "LAMBDA_WATCH_ADDR"},
		{{NULL, NULL, NULL, "1.2.3.4.5:80"}, "LAMBDA_WATCH_ADDR"},
		{{NULL, NULL, NULL, "example.com:80"}, "LAMBDA_WATCH_ADDR"},
		{{NULL, NULL, NULL, "1..2.3:80"}, "LAMBDA_WATCH_ADDR"},
	};
	struct cfg_in in = {0};
	struct buf b = {0};
	struct cfg c;
	size_t i;

	(void)state;
	assert_int_equal(cfg_parse(&in, &c), 0);
	assert_string_equal(c.function, "");
	assert_int_equal(c.timeout, 3);
	assert_string_equal(c.watch_addr, "127.0.0.1:9000");
	cfg_free(&c);
	in.function = " hello-2 ";
	in.event = " -";
	in.timeout = "900";
	in.watch_addr = "localhost:1";
	assert_int_equal(cfg_parse(&in, &c), 0);
	assert_int_equal(cfg_field(&c, "function", &b), 0);
	assert_int_equal(buf_adds(&b, "|"), 0);
	assert_int_equal(cfg_field(&c, "event", &b), 0);
	assert_int_equal(buf_adds(&b, "|"), 0);
	assert_int_equal(cfg_field(&c, "timeout", &b), 0);
	assert_int_equal(buf_adds(&b, "|"), 0);
	assert_int_equal(cfg_field(&c, "watch_addr", &b), 0);
	assert_string_equal(b.s, "hello-2|-|900|localhost:1");
	buf_free(&b);
	cfg_free(&c);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct cfg_in one = {0};

		one.function = bad[i].v[0];
		one.event = bad[i].v[1];
		one.timeout = bad[i].v[2];
		one.watch_addr = bad[i].v[3];
		if (cfg_parse(&one, &c) == 0) {
			cfg_free(&c);
			fail_msg("case %zu accepted", i);
		}
		if (!strstr(err_get(), bad[i].msg))
			fail_msg("case %zu: got '%s'", i, err_get());
	}
}

static void
words(void **state)
{
	struct strv sv = {0};
	char big[300];

	(void)state;
	assert_int_equal(cfg_words("  a  b\tc\n", &sv), 0);
	assert_int_equal(sv.n, 3);
	assert_string_equal(sv.v[2], "c");
	strv_free(&sv);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cfg_words(big, &sv), -1);
	strv_free(&sv);
	assert_int_equal(cfg_words("a\"b", &sv), -1);
	strv_free(&sv);
}

/* LAMBDA_CACHE_REGISTRY: HOST[:PORT]/REPO, normalised; every other form refused. */
static void
registry(void **state)
{
	static const struct {
		const char *in, *want;
	} good[] = {
		{"127.0.0.1:5000/cache", "127.0.0.1:5000/cache"},
		{" Registry.Example.com/team/lambda-cache/ ", "registry.example.com/team/lambda-cache"},
		{"localhost:65535/a__b/c.d/e--f", "localhost:65535/a__b/c.d/e--f"},
		{"ghcr.io/org/x", "ghcr.io/org/x"},
	};
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{"cache", "a host and a repository are both needed"},
		{"host/", "a host and a repository are both needed"},
		{"/repo", "a host and a repository are both needed"},
		{"http://localhost:5000/c", "no scheme"},
		{"h:5000/c@sha256:00", "no digest"},
		{"h:5000/c:tag", "no tag"},
		{"h:0/c", "the port must be"},
		{"h:70000/c", "the port must be"},
		{"h:/c", "the port must be"},
		{":5000/c", "the host is"},
		{"h_x/c", "the host is"},
		{"h/Upper", "the repository is lowercase"},
		{"h/a..b", "the repository is lowercase"},
		{"h/a___b", "the repository is lowercase"},
		{"h/-a", "the repository is lowercase"},
		{"h/a//b", "the repository is lowercase"},
		{"h/a b", "the repository is lowercase"},
		{"h/$(id)", "the repository is lowercase"},
	};
	struct cfg_in in = {0};
	struct buf b = {0};
	struct cfg c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		in.cache_registry = good[i].in;
		if (cfg_parse(&in, &c) < 0)
			fail_msg("case %zu refused: %s", i, err_get());
		b.len = 0;
		assert_int_equal(cfg_field(&c, "cache_registry", &b), 0);
		assert_string_equal(b.s, good[i].want);
		cfg_free(&c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		in.cache_registry = bad[i].in;
		if (cfg_parse(&in, &c) == 0)
			fail_msg("case %zu (%s) accepted", i, bad[i].in);
		if (!strstr(err_get(), bad[i].msg) || !strstr(err_get(), "LAMBDA_CACHE_REGISTRY: '") ||
		    !strstr(err_get(), "expected HOST[:PORT]/REPO"))
			fail_msg("case %zu: got '%s'", i, err_get());
	}
	in.cache_registry = " ";
	assert_int_equal(cfg_parse(&in, &c), 0);
	b.len = 0;
	assert_int_equal(cfg_field(&c, "cache_registry", &b), 0);
	assert_true(!b.s || !*b.s);
	cfg_free(&c);
	buf_free(&b);
}

static void
text(void **state)
{
	(void)state;
	assert_int_equal(cfg_text_ok("LAMBDA_BASE_IMAGE", "lambda-make-builder:1 x;'$(y)\tz"), 0);
	assert_int_equal(cfg_text_ok("LAMBDA_BASE_IMAGE", ""), 0);
	assert_int_equal(cfg_text_ok("LAMBDA_BASE_IMAGE", "x\ntouch m #"), -1);
	assert_non_null(strstr(err_get(), "LAMBDA_BASE_IMAGE: the value has a newline"));
	assert_int_equal(cfg_text_ok("LAMBDA_DIR", "a\rb"), -1);
	assert_int_equal(cfg_text_ok("LAMBDA_DIR", "a\177"), -1);
	/* SOURCE_DATE_EPOCH: whole seconds, the zip epoch by default */
	assert_string_equal(cfg_epoch(""), "315532800");
	assert_string_equal(cfg_epoch("1700000000"), "1700000000");
	assert_null(cfg_epoch("abc"));
	assert_non_null(strstr(err_get(), "SOURCE_DATE_EPOCH: 'abc' is not a number of seconds"));
	assert_null(cfg_epoch("-1"));
	assert_null(cfg_epoch("1.5"));
	/* zip stores no time before 1980: an earlier one is the zip epoch */
	assert_string_equal(cfg_epoch("0"), "315532800");
	assert_string_equal(cfg_epoch("315532799"), "315532800");
	assert_string_equal(cfg_epoch("99999999"), "315532800");
	assert_string_equal(cfg_epoch("0000315532799"), "315532800");
	assert_string_equal(cfg_epoch("315532800"), "315532800");
	assert_string_equal(cfg_epoch("315532801"), "315532801");
	assert_string_equal(cfg_epoch("01700000000"), "01700000000");
	assert_string_equal(cfg_epoch("12345678901234567890"), "12345678901234567890");
	assert_null(cfg_epoch("123456789012345678901"));
}

/* SOURCE_DATE_EPOCH through cfg_parse: trimmed, clamped, the field "epoch". */
static void
epoch(void **state)
{
	struct cfg_in in = {0};
	struct cfg c;
	struct buf b = {0};

	(void)state;
	in.epoch = " 1700000000\t";
	assert_int_equal(cfg_parse(&in, &c), 0);
	assert_int_equal(cfg_field(&c, "epoch", &b), 0);
	assert_string_equal(b.s, "1700000000");
	cfg_free(&c);
	in.epoch = "12";
	assert_int_equal(cfg_parse(&in, &c), 0);
	b.len = 0;
	assert_int_equal(cfg_field(&c, "epoch", &b), 0);
	assert_string_equal(b.s, "315532800");
	cfg_free(&c);
	in.epoch = "soon";
	assert_int_equal(cfg_parse(&in, &c), -1);
	assert_string_equal(err_get(), "SOURCE_DATE_EPOCH: 'soon' is not a number of seconds");
	in.epoch = "17 00";
	assert_int_equal(cfg_parse(&in, &c), -1);
	buf_free(&b);
}

/* The layout dirs: dirs.h's names, without any setting. */
static void
dirs(void **state)
{
	struct cfg_in in = {0};
	struct cfg c;
	struct buf b = {0};

	(void)state;
	assert_string_equal(cfg_dir("own_dir"), ".lambda");
	assert_string_equal(cfg_dir("bin_dir"), ".lambda/bin");
	assert_string_equal(cfg_dir("pkg_dir"), "target/lambda");
	assert_string_equal(cfg_dir("dev_dir"), "target/lambda-dev");
	assert_null(cfg_dir("target_arch"));
	assert_null(cfg_dir("dir"));
	assert_int_equal(cfg_parse(&in, &c), 0);
	assert_int_equal(cfg_field(&c, "pkg_dir", &b), 0);
	assert_string_equal(b.s, "target/lambda");
	assert_int_equal(cfg_field(&c, "no_dir", &b), -1);
	assert_non_null(strstr(err_get(), "own_dir, bin_dir, pkg_dir, dev_dir)"));
	cfg_free(&c);
	buf_free(&b);
}

/* Parse LAMBDA_SAM_FUNCTIONS / LAMBDA_EXTENSIONS alone; the field's value or NULL. */
static const char *
sam(const char *samv, const char *exts, const char *field)
{
	struct cfg_in in = {0};
	struct buf b = {0};
	struct cfg c;

	in.sam_functions = samv;
	in.extensions = exts;
	if (cfg_parse(&in, &c) < 0)
		return NULL;
	assert_int_equal(cfg_field(&c, field, &b), 0);
	cfg_free(&c);
	snprintf(out, sizeof(out), "%s", b.s ? b.s : "");
	buf_free(&b);
	return out;
}

static void
sam_and_extensions(void **state)
{
	static const struct {
		const char *sam, *exts, *msg;
	} bad[] = {
		{"Hello", NULL, "'Hello' is not LogicalId=bin"},
		{"=hello", NULL, "'=hello' is not LogicalId=bin"},
		{"Hello=", NULL, "'Hello=' is not LogicalId=bin"},
		{"Hello=a.b", NULL, "is not LogicalId=bin"},
		{"Hel-lo=hello", NULL, "'Hel-lo' is not a CloudFormation logical ID"},
		{"Hel_lo=hello", NULL, "not a CloudFormation logical ID"},
		{"A=a A=b", NULL, "'A' is given twice"},
		{"A=a;rm", NULL, "LAMBDA_SAM_FUNCTIONS: 'A=a;rm'"},
		{NULL, "a.b", "LAMBDA_EXTENSIONS: 'a.b'"},
		{NULL, "x x", "LAMBDA_EXTENSIONS: 'x' is given twice"},
	};
	size_t i;

	(void)state;
	assert_string_equal(sam(NULL, NULL, "sam_functions"), "");
	assert_string_equal(sam(" Hello=hello\tBye2=good-bye ", NULL, "sam_functions"),
			    "Hello=hello Bye2=good-bye");
	assert_string_equal(sam("Hello=hello Bye2=good-bye", NULL, "sam_ids"), "Hello Bye2");
	/* two logical IDs may share a binary (two resources, one code) */
	assert_string_equal(sam("A=x B=x", NULL, "sam_functions"), "A=x B=x");
	assert_string_equal(sam(NULL, "  ext_a  ext-b ", "extensions"), "ext_a ext-b");
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (sam(bad[i].sam, bad[i].exts, "sam_functions") != NULL)
			fail_msg("case %zu accepted", i);
		if (!strstr(err_get(), bad[i].msg))
			fail_msg("case %zu: got '%s'", i, err_get());
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(normalizes),
		cmocka_unit_test(fields),
		cmocka_unit_test(rejects),
		cmocka_unit_test(words),
		cmocka_unit_test(registry),
		cmocka_unit_test(local_settings),
		cmocka_unit_test(text),
		cmocka_unit_test(epoch),
		cmocka_unit_test(dirs),
		cmocka_unit_test(sam_and_extensions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
