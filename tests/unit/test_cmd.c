#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cmd.h"

static struct cmd_env env;

static int
setup(void **state)
{
	struct cfg_in in = {.arch = "x86_64 arm64", .container = "dev-box",
			    .cargo_flags = "--locked --features=a,b"};

	(void)state;
	memset(&env, 0, sizeof(env));
	env.dir = "/work/my project's dir";
	env.home = "/usr/share/lambda-make";
	env.docker = "docker";
	env.base_image = "";
	env.project = "my-project-s-dir";
	env.epoch = "315532800";
	assert_int_equal(cfg_parse(&in, &env.cfg), 0);
	assert_int_equal(strv_add(&env.bins, "hello"), 0);
	assert_int_equal(strv_add(&env.bins, "api"), 0);
	assert_int_equal(strv_add(&env.profile_own, "opt-level"), 0);
	assert_int_equal(strv_add(&env.profile_own, "lto"), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cfg_free(&env.cfg);
	strv_free(&env.bins);
	strv_free(&env.profile_own);
	return 0;
}

static const char *
build(enum cfg_mode mode, unsigned arch, const char *stage)
{
	static char out[4096];
	struct buf b = {0};

	if (cmd_build(&env, mode, arch, stage, &b) < 0) {
		buf_free(&b);
		return NULL;
	}
	snprintf(out, sizeof(out), "%s", b.s);
	buf_free(&b);
	return out;
}

static void
deps_stage(void **state)
{
	(void)state;
	assert_string_equal(build(CFG_PROD, CFG_ARM64, "deps"),
		"/usr/share/lambda-make/docker/lambda-stage.sh --docker=docker --stage=deps "
		"--dockerfile=/usr/share/lambda-make/docker/Dockerfile "
		"'--context=/work/my project'\\''s dir/.lambda/ctx' "
		"--tag=lambda-make/my-project-s-dir:deps-arm64 "
		"--build-arg=LAMBDA_TARGET=aarch64-unknown-linux-gnu "
		"--build-arg=LAMBDA_RUNTIME=al2023 "
		"--build-arg=LAMBDA_PROFILE=release "
		"'--build-arg=LAMBDA_PROFILE_OWN=opt-level lto' "
		"'--build-arg=LAMBDA_CARGO_FLAGS=--locked --features=a,b' "
		"'--build-arg=LAMBDA_BINS=hello api' "
		"--build-arg=SOURCE_DATE_EPOCH=315532800");
}

/* LAMBDA_VERBOSE reaches lambda-stage.sh as --verbose, after the stage's own options. */
static void
verbose_stage(void **state)
{
	const char *s;

	(void)state;
	env.cfg.verbose = 1;
	s = build(CFG_PROD, CFG_X86_64, "base");
	env.cfg.verbose = 0;
	assert_non_null(s);
	assert_non_null(strstr(s, "/.lambda/ctx' --verbose --tag=lambda-make/my-project-s-dir:base-x86_64 "));
	assert_null(strstr(build(CFG_PROD, CFG_X86_64, "base"), "--verbose"));
}

static void
whole_build(void **state)
{
	const char *s;

	(void)state;
	env.base_image = "lambda-make-builder:abc";
	s = build(CFG_PROD, CFG_X86_64, NULL);
	assert_non_null(s);
	assert_non_null(strstr(s, "--stage=runtime "));
	assert_non_null(strstr(s, "'--output=/work/my project'\\''s dir/.lambda/out/x86_64'"));
	assert_non_null(strstr(s, "--build-arg=LAMBDA_BASE_IMAGE=lambda-make-builder:abc"));
	assert_non_null(strstr(s, " && /usr/share/lambda-make/docker/lambda-package.sh "
				  "'--from=/work/my project'\\''s dir/.lambda/out/x86_64' "
				  "'--to=/work/my project'\\''s dir/target/lambda/x86_64' "
				  "--epoch=315532800 hello api"));
	assert_null(strstr(s, "--no-cache"));
	/* al2 reaches the Dockerfile, which checks the image's glibc floor */
	env.cfg.runtime = CFG_AL2;
	s = build(CFG_PROD, CFG_X86_64, "deps");
	env.cfg.runtime = CFG_AL2023;
	assert_non_null(strstr(s, " --build-arg=LAMBDA_RUNTIME=al2 "));
	s = build(CFG_DOCKER, CFG_X86_64, NULL);
	assert_non_null(strstr(s, "--stage=runtime --dockerfile"));
	assert_non_null(strstr(s, " --no-cache "));
	env.base_image = "";
}

/* A monorepo: the build runs at the project's place below the context root, and
 * the dev container mounts the outside path dependencies as well. */
static void
monorepo(void **state)
{
	struct strv outer = {0};
	const char *s;

	(void)state;
	assert_int_equal(strv_add(&outer, "libs/common"), 0);
	env.subdir = "services/app";
	env.outer = &outer;
	s = build(CFG_PROD, CFG_X86_64, "deps");
	assert_non_null(s);
	assert_non_null(strstr(s, " --build-arg=SOURCE_DATE_EPOCH=315532800 "
				  "--build-arg=LAMBDA_SUBDIR=/services/app"));
	s = build(CFG_DEV, CFG_X86_64, NULL);
	assert_non_null(s);
	assert_non_null(strstr(s, " --container=dev-box --subdir=services/app "
				  "--path-dep=libs/common --function=hello "));
	env.subdir = "";
	env.outer = NULL;
	assert_null(strstr(build(CFG_PROD, CFG_X86_64, "deps"), "LAMBDA_SUBDIR"));
	assert_null(strstr(build(CFG_DEV, CFG_X86_64, NULL), "--subdir"));
	strv_free(&outer);
}

static void
dev(void **state)
{
	(void)state;
	assert_string_equal(build(CFG_DEV, CFG_X86_64 | CFG_ARM64, NULL),
		"/usr/share/lambda-make/docker/dev-container.sh build --docker=docker "
		"'--dir=/work/my project'\\''s dir' --arch=x86_64,arm64 --container=dev-box "
		"--function=hello --function=api -- --locked --features=a,b");
	assert_non_null(strstr(build(CFG_DEV, CFG_X86_64, "status"), "dev-container.sh status "));
	assert_null(build(CFG_DEV, CFG_X86_64, "explode"));
	assert_non_null(strstr(err_get(), "valid: build, start, stop, status"));
}

static void
errors(void **state)
{
	char name[32];

	(void)state;
	assert_null(build(CFG_PROD, CFG_X86_64, "nope"));
	assert_non_null(strstr(err_get(), "unknown stage 'nope'"));
	assert_null(build(CFG_PROD, CFG_X86_64 | CFG_ARM64, "deps"));
	assert_non_null(strstr(err_get(), "one architecture"));
	assert_int_equal(cmd_project("/home/u/My Lambda__Fn/", name, sizeof(name)), 0);
	assert_string_equal(name, "my-lambda-fn");
	assert_int_equal(cmd_project("/tmp/a", name, sizeof(name)), 0);
	assert_string_equal(name, "a");
	assert_int_equal(cmd_project("/tmp/__/", name, sizeof(name)), -1);
	assert_non_null(strstr(err_get(), "LAMBDA_PROJECT"));
	assert_true(cmd_stage_ok("package"));
	assert_false(cmd_stage_ok("shell"));
}

/* lambda-invoke / lambda-watch: one argv each, every value one quoted word. */
static void
local(void **state)
{
	struct cfg_in in = {.container = "dev-box", .function = "hello",
			    .event = "ev ents/a.json", .timeout = "7", .watch_addr = "127.0.0.1:9100"};
	struct cfg saved = env.cfg;
	struct strv extra = {0};
	struct buf b = {0};

	(void)state;
	assert_int_equal(cfg_parse(&in, &env.cfg), 0);
	assert_int_equal(cmd_local(&env, "invoke", CFG_X86_64, NULL, &b), 0);
	assert_string_equal(b.s, "/usr/share/lambda-make/docker/lambda-invoke.sh --dev "
				 "--docker=docker '--dir=/work/my project'\\''s dir' "
				 "--container=dev-box --arch=x86_64 --timeout=7 --dev-dir=target/lambda-dev "
				 "--bin-dir=.lambda/bin -- hello "
				 "'ev ents/a.json'");
	b.len = 0;
	assert_int_equal(strv_add(&extra, "make"), 0);
	assert_int_equal(strv_add(&extra, "LAMBDA_DIR=/a b"), 0);
	assert_int_equal(cmd_local(&env, "watch", CFG_ARM64, &extra, &b), 0);
	assert_string_equal(b.s, "/usr/share/lambda-make/docker/lambda-watch.py "
				 "--addr=127.0.0.1:9100 --docker=docker "
				 "'--dir=/work/my project'\\''s dir' --container=dev-box --arch=arm64 "
				 "--timeout=7 --dev-dir=target/lambda-dev --bin-dir=.lambda/bin "
				 "--function=hello --function=api --make=make "
				 "'--make=LAMBDA_DIR=/a b'");
	b.len = 0;
	assert_int_equal(cmd_local(&env, "watch", CFG_X86_64 | CFG_ARM64, &extra, &b), -1);
	assert_non_null(strstr(err_get(), "one architecture"));
	assert_int_equal(cmd_local(&env, "serve", CFG_X86_64, NULL, &b), -1);
	buf_free(&b);
	strv_free(&extra);
	cfg_free(&env.cfg);
	env.cfg = saved;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deps_stage),
		cmocka_unit_test(verbose_stage),
		cmocka_unit_test(whole_build),
		cmocka_unit_test(dev),
		cmocka_unit_test(monorepo),
		cmocka_unit_test(errors),
		cmocka_unit_test(local),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
