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

static const char *MAIN = "fn main() {}\n";

/* The bins of dir joined by spaces (static storage). */
static const char *
bins(const char *dir)
{
	static char out[1024];
	struct strv sv = {0};
	size_t i, n = 0;

	if (cargo_bins(dir, &sv) < 0)
		fail_msg("cargo_bins: %s", err_get());
	out[0] = '\0';
	for (i = 0; i < sv.n; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? " " : "", sv.v[i]);
	strv_free(&sv);
	return out;
}

static const struct cargo_pkg *
pkg(const struct cargo_ws *ws, const char *name)
{
	size_t i;

	for (i = 0; i < ws->npkg; i++)
		if (ws->pkg[i].name && !strcmp(ws->pkg[i].name, name))
			return &ws->pkg[i];
	fail_msg("no package %s", name);
	return NULL;
}

/* The path of the target of kind k named name (NULL: the first of kind k). */
static const char *
tpath(const struct cargo_pkg *p, enum cargo_kind k, const char *name)
{
	size_t i;

	for (i = 0; i < p->ntgt; i++)
		if (p->tgt[i].kind == k &&
		    (!name || (p->tgt[i].name && !strcmp(p->tgt[i].name, name))))
			return p->tgt[i].path;
	return NULL;
}

static void
single_package(void **state)
{
	struct cargo_ws *ws;
	const struct cargo_pkg *p;

	(void)state;
	fx_enter();
	fx_write("Cargo.toml", "[package]\nname = \"hello\"\nversion = \"0.1.0\"\n"
			       "edition = \"2021\"\n[dependencies]\nserde = \"1\"\n");
	fx_write("src/main.rs", MAIN);
	fx_write("src/lib.rs", "");
	fx_write("src/bin/two.rs", MAIN);
	fx_write("src/bin/three/main.rs", MAIN);
	fx_write("src/bin/notabin/helper.rs", "");
	fx_write("src/bin/.hidden.rs", MAIN);
	fx_write("build.rs", MAIN);
	assert_string_equal(bins("."), "hello three two");
	assert_int_equal(cargo_load(".", &ws), 0);
	assert_int_equal(ws->npkg, 1);
	assert_int_equal(ws->virt, 0);
	p = &ws->pkg[0];
	assert_string_equal(p->name, "hello");
	assert_string_equal(p->version, "0.1.0");
	assert_string_equal(p->dir, "");
	assert_true(p->member);
	assert_string_equal(tpath(p, CARGO_LIB, NULL), "src/lib.rs");
	assert_string_equal(tpath(p, CARGO_BIN, "hello"), "src/main.rs");
	assert_string_equal(tpath(p, CARGO_BIN, "two"), "src/bin/two.rs");
	assert_string_equal(tpath(p, CARGO_BIN, "three"), "src/bin/three/main.rs");
	assert_string_equal(tpath(p, CARGO_BUILD, NULL), "build.rs");
	assert_null(tpath(p, CARGO_BIN, "notabin"));
	cargo_free(ws);
	fx_leave();
}

static void
explicit_targets(void **state)
{
	struct cargo_ws *ws;
	const struct cargo_pkg *p;

	(void)state;
	fx_enter();
	fx_write("Cargo.toml",
		 "[package]\nname = \"p\"\nedition = \"2021\"\nbuild = \"tools/gen.rs\"\n"
		 "[lib]\npath = \"lib/mod.rs\"\nproc-macro = true\n"
		 "[[bin]]\nname = \"api\"\npath = \"cmd/api.rs\"\n"
		 "[[bin]]\nname = \"worker\"\n"
		 "[[bin]]\nname = \"p\"\n"
		 "[[bin]]\nname = \"renamed\"\npath = \"src/bin/old.rs\"\n"
		 "[[example]]\nname = \"demo\"\npath = \"ex/demo.rs\"\n"
		 "[[example]]\nname = \"dir\"\n"
		 "[[test]]\nname = \"it\"\n"
		 "[[bench]]\nname = \"speed\"\nharness = false\n");
	fx_write("src/main.rs", MAIN);
	fx_write("src/bin/worker/main.rs", MAIN);
	fx_write("src/bin/old.rs", MAIN);
	fx_write("src/bin/auto.rs", MAIN);
	fx_write("examples/dir/main.rs", MAIN);
	/* build.rs exists but package.build points elsewhere */
	fx_write("build.rs", MAIN);
	assert_int_equal(cargo_load(".", &ws), 0);
	p = &ws->pkg[0];
	assert_null(p->version);
	assert_string_equal(tpath(p, CARGO_LIB, NULL), "lib/mod.rs");
	assert_string_equal(tpath(p, CARGO_BIN, "api"), "cmd/api.rs");
	assert_string_equal(tpath(p, CARGO_BIN, "worker"), "src/bin/worker/main.rs");
	assert_string_equal(tpath(p, CARGO_BIN, "p"), "src/main.rs");
	assert_string_equal(tpath(p, CARGO_BIN, "renamed"), "src/bin/old.rs");
	/* discovered, and not shadowed by an explicit name or path */
	assert_string_equal(tpath(p, CARGO_BIN, "auto"), "src/bin/auto.rs");
	assert_null(tpath(p, CARGO_BIN, "old"));
	assert_string_equal(tpath(p, CARGO_BUILD, NULL), "tools/gen.rs");
	assert_string_equal(tpath(p, CARGO_EXAMPLE, "demo"), "ex/demo.rs");
	assert_string_equal(tpath(p, CARGO_EXAMPLE, "dir"), "examples/dir/main.rs");
	assert_string_equal(tpath(p, CARGO_TEST, "it"), "tests/it.rs");
	assert_string_equal(tpath(p, CARGO_BENCH, "speed"), "benches/speed.rs");
	assert_int_equal(p->ntgt, 11);
	cargo_free(ws);
	assert_string_equal(bins("."), "api auto p renamed worker");
	fx_leave();
}

static void
discovery_switches(void **state)
{
	struct cargo_ws *ws;

	(void)state;
	fx_enter();
	fx_write("src/main.rs", MAIN);
	fx_write("src/lib.rs", "");
	fx_write("src/x.rs", MAIN);
	fx_write("src/bin/y.rs", MAIN);
	fx_write("build.rs", MAIN);
	/* autobins = false: only declared bins, src/main.rs included */
	fx_write("Cargo.toml", "[package]\nname = \"e\"\nedition = \"2021\"\nautobins = false\n"
			       "autolib = false\nbuild = false\n"
			       "[[bin]]\nname = \"x\"\npath = \"src/x.rs\"\n");
	assert_string_equal(bins("."), "x");
	assert_int_equal(cargo_load(".", &ws), 0);
	assert_null(tpath(&ws->pkg[0], CARGO_LIB, NULL));
	assert_null(tpath(&ws->pkg[0], CARGO_BUILD, NULL));
	cargo_free(ws);
	/* edition 2015 (the default): a declared [[bin]] turns discovery off */
	fx_write("Cargo.toml", "[package]\nname = \"e\"\nversion = \"1.0.0\"\n"
			       "[[bin]]\nname = \"x\"\npath = \"src/x.rs\"\n");
	assert_string_equal(bins("."), "x");
	/* ... but not in 2018 and later */
	fx_write("Cargo.toml", "[package]\nname = \"e\"\nversion = \"1.0.0\"\nedition = \"2018\"\n"
			       "[[bin]]\nname = \"x\"\npath = \"src/x.rs\"\n");
	assert_string_equal(bins("."), "e x y");
	/* build = true means build.rs */
	fx_write("Cargo.toml", "[package]\nname = \"e\"\nbuild = true\nautobins = false\n");
	assert_int_equal(cargo_load(".", &ws), 0);
	assert_string_equal(tpath(&ws->pkg[0], CARGO_BUILD, NULL), "build.rs");
	assert_string_equal(tpath(&ws->pkg[0], CARGO_LIB, NULL), "src/lib.rs");
	cargo_free(ws);
	assert_string_equal(bins("."), "");
	fx_leave();
}

static void
workspace(void **state)
{
	struct cargo_ws *ws;
	const struct cargo_pkg *p;

	(void)state;
	fx_enter();
	fx_write("Cargo.toml",
		 "[workspace]\nmembers = [\"crates/*\", \"app\", \"./tools/cli\"]\n"
		 "exclude = [\"crates/old\", \"vendor\"]\n"
		 "[workspace.package]\nversion = \"1.2.3\"\nedition = \"2021\"\n"
		 "[workspace.dependencies]\nutil = { path = \"libs/util\", version = \"0.3\" }\n"
		 "unused = { path = \"libs/missing\" }\n"
		 "[patch.crates-io]\nforked = { path = \"patches/forked\" }\n");
	fx_write("app/Cargo.toml",
		 "[package]\nname = \"app\"\nversion.workspace = true\nedition.workspace = true\n"
		 "[dependencies]\ncore1 = { path = \"../crates/core1\", version = \"0.1\" }\n"
		 "util = { workspace = true }\n"
		 "vend = { path = \"../vendor/vend\" }\n"
		 "[target.'cfg(unix)'.dev-dependencies]\nnested = { path = \"../nested\" }\n");
	fx_write("app/src/main.rs", MAIN);
	fx_write("crates/core1/Cargo.toml", "[package]\nname = \"core1\"\nversion = \"0.1.0\"\n");
	fx_write("crates/core1/src/lib.rs", "");
	fx_write("crates/svc/Cargo.toml", "[package]\nname = \"svc\"\nversion = \"0.2.0\"\n");
	fx_write("crates/svc/src/main.rs", MAIN);
	fx_write("crates/old/Cargo.toml", "[package]\nname = \"old\"\n");
	fx_write("crates/old/src/main.rs", MAIN);
	fx_write("crates/notacrate/README", "not a crate\n");
	fx_write("crates/file.txt", "a file, not a dir\n");
	fx_write("tools/cli/Cargo.toml", "[package]\nname = \"cli\"\n[[bin]]\nname = \"ctl\"\n"
					 "path = \"main.rs\"\n");
	fx_write("libs/util/Cargo.toml", "[package]\nname = \"util\"\nversion = \"0.3.1\"\n"
					 "[dependencies]\ndeep = { path = \"../deep\" }\n");
	fx_write("libs/util/src/main.rs", MAIN);
	fx_write("libs/deep/Cargo.toml", "[package]\nname = \"deep\"\n");
	fx_write("vendor/vend/Cargo.toml", "[package]\nname = \"vend\"\n"
					   "[dependencies]\nvdep = { path = \"../vdep\" }\n");
	fx_write("vendor/vend/src/main.rs", MAIN);
	fx_write("vendor/vdep/Cargo.toml", "[package]\nname = \"vdep\"\n");
	fx_write("nested/Cargo.toml", "[package]\nname = \"nested\"\n[workspace]\n");
	fx_write("nested/src/main.rs", MAIN);
	fx_write("patches/forked/Cargo.toml", "[package]\nname = \"forked\"\nversion = \"1.0.5\"\n");
	assert_int_equal(cargo_load(".", &ws), 0);
	assert_int_equal(ws->virt, 1);
	p = pkg(ws, "app");
	assert_true(p->member);
	assert_string_equal(p->version, "1.2.3");
	assert_string_equal(p->dir, "app");
	assert_true(pkg(ws, "core1")->member);
	assert_true(pkg(ws, "svc")->member);
	assert_true(pkg(ws, "cli")->member);
	/* a path dependency inside the root joins, transitively */
	assert_true(pkg(ws, "util")->member);
	assert_true(pkg(ws, "deep")->member);
	assert_string_equal(pkg(ws, "deep")->dir, "libs/deep");
	/* excluded, or a workspace of its own: loaded, not members */
	assert_false(pkg(ws, "vend")->member);
	assert_false(pkg(ws, "vdep")->member);
	assert_false(pkg(ws, "nested")->member);
	assert_true(pkg(ws, "nested")->nested_ws);
	assert_false(pkg(ws, "forked")->member);
	assert_true(pkg(ws, "forked")->keep_version);
	assert_false(pkg(ws, "util")->keep_version);
	assert_int_equal(ws->npkg, 10); /* not: old (excluded, unused), libs/missing */
	cargo_free(ws);
	assert_string_equal(bins("."), "app ctl svc util");
	/* the excluded crate becomes a member when listed explicitly */
	fx_write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\", \"crates/old\"]\n"
			       "exclude = [\"crates/old\"]\n");
	assert_string_equal(bins("."), "old svc");
	fx_leave();
}

static void
root_package_and_outside(void **state)
{
	struct cargo_ws *ws;
	const struct cargo_pkg *p;

	(void)state;
	fx_enter();
	fx_write("proj/Cargo.toml",
		 "[package]\nname = \"root\"\nversion = \"3.0.0\"\n"
		 "[workspace]\nmembers = [\"sub\"]\n"
		 "[dependencies]\nshared = { path = \"../shared\" }\n"
		 "local = { path = \"local\" }\n");
	fx_write("proj/src/main.rs", MAIN);
	fx_write("proj/sub/Cargo.toml", "[package]\nname = \"sub\"\n");
	fx_write("proj/sub/src/main.rs", MAIN);
	fx_write("proj/local/Cargo.toml", "[package]\nname = \"local\"\n");
	fx_write("proj/local/src/bin/l.rs", MAIN);
	fx_write("shared/Cargo.toml", "[package]\nname = \"shared\"\n"
				      "[dependencies]\nbase = { path = \"../base\" }\n");
	fx_write("shared/src/lib.rs", "");
	fx_write("shared/src/bin/tool.rs", MAIN);
	fx_write("base/Cargo.toml", "[package]\nname = \"base\"\n");
	fx_write("base/src/lib.rs", "");
	assert_int_equal(cargo_load("proj", &ws), 0);
	assert_string_equal(ws->root, "proj");
	assert_int_equal(ws->virt, 0);
	p = &ws->pkg[0];
	assert_string_equal(p->name, "root");
	assert_string_equal(p->dir, "");
	/* outside crates are loaded (a monorepo's shared crates, and theirs) */
	assert_int_equal(ws->npkg, 5);
	p = &ws->pkg[2];
	assert_true(p->outside);
	assert_false(p->member);
	assert_string_equal(p->dir, "../shared");
	assert_string_equal(p->name, "shared");
	assert_int_equal(p->ntgt, 2);
	assert_string_equal(p->tgt[0].path, "../shared/src/lib.rs");
	p = &ws->pkg[4];
	assert_true(p->outside);
	assert_string_equal(p->dir, "../base");
	cargo_free(ws);
	/* an outside crate's bins are no functions */
	assert_string_equal(bins("proj"), "l root sub");
	/* without [workspace], path crates are not members */
	fx_write("proj/Cargo.toml", "[package]\nname = \"root\"\n"
				    "[dependencies]\nlocal = { path = \"local\" }\n");
	assert_string_equal(bins("proj"), "root");
	fx_leave();
}

static void
load_errors(void **state)
{
	static const char *const bad[][3] = {
		/* file, content, message */
		{"Cargo.toml", "[package]\nname = \"x\"\nversion = 1.2.3\n",
		 "d/Cargo.toml:3: invalid value: 1.2.3"},
		{"Cargo.toml", "[workspace]\nmembers = [\"gone\"]\n",
		 "d/Cargo.toml:2: workspace member 'gone': no Cargo.toml in gone"},
		{"Cargo.toml", "[workspace]\nmembers = \"a\"\n",
		 "d/Cargo.toml:2: workspace.members: expected a array, found a string"},
		{"Cargo.toml", "[workspace]\nmembers = [\"a/**\"]\n",
		 "d/Cargo.toml:2: member pattern 'a/**': '**' is not supported"},
		{"Cargo.toml", "[dependencies]\n", "d/Cargo.toml: neither [package] nor [workspace]"},
		{"Cargo.toml", "[package]\nversion = \"1\"\n",
		 "d/Cargo.toml:1: package.name must be a non-empty string"},
		{"Cargo.toml", "[package]\nname = \"x\"\n[[bin]]\npath = \"a.rs\"\n",
		 "d/Cargo.toml:3: [[bin]] needs a name"},
		{"Cargo.toml", "[package]\nname = \"x\"\n[bin]\nname = \"a\"\n",
		 "d/Cargo.toml:3: 'bin' must be an array of tables ([[bin]])"},
		{"Cargo.toml", "[package]\nname = \"x\"\nbuild = 1\n",
		 "d/Cargo.toml:3: package.build: expected a string or a boolean"},
		{"Cargo.toml", "[package]\nname = \"x\"\n[dependencies]\ny = { path = \"y\" }\n",
		 "d/Cargo.toml: path dependency 'y': no Cargo.toml in y: fix the path or create "
		 "the crate there"},
		{"Cargo.toml", "[package]\nname = \"x\"\n[dependencies]\ny = { path = \"../y\" }\n",
		 "d/Cargo.toml: path dependency '../y': no Cargo.toml in ../y: fix the path or "
		 "create the crate there"},
		{"Cargo.toml", "[workspace]\nmembers = [\"m\"]\n", "d/m/Cargo.toml: no [package] section"},
	};
	struct strv sv = {0};
	struct cargo_ws *ws = (struct cargo_ws *)&sv;
	size_t i;

	(void)state;
	fx_enter();
	assert_int_equal(cargo_load("d", &ws), -1);
	assert_null(ws);
	assert_string_equal(err_get(), "d: no Cargo.toml");
	assert_int_equal(cargo_bins("nowhere", &sv), -1);
	assert_string_equal(err_get(), "nowhere: no Cargo.toml");
	fx_write("d/m/Cargo.toml", "[lib]\n");
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char path[64];

		snprintf(path, sizeof(path), "d/%s", bad[i][0]);
		fx_write(path, bad[i][1]);
		err_clear();
		if (cargo_bins("d", &sv) == 0)
			fail_msg("case %zu accepted", i);
		if (strcmp(err_get(), bad[i][2]))
			fail_msg("case %zu: got '%s', want '%s'", i, err_get(), bad[i][2]);
	}
	assert_int_equal(sv.n, 0);
	fx_leave();
}


/* A bin behind required-features is a function only when the default features
 * (followed through the [features] they enable) switch its features on. */
static void
required_features(void **state)
{
	(void)state;
	fx_enter();
	fx_write("f/Cargo.toml",
		 "[package]\nname = \"f\"\nversion = \"0.1.0\"\n\n"
		 "[features]\ndefault = [\"base\"]\nbase = [\"json\", \"dep:serde\"]\njson = []\n"
		 "extra = []\n\n"
		 "[[bin]]\nname = \"always\"\npath = \"src/main.rs\"\n\n"
		 "[[bin]]\nname = \"on\"\npath = \"src/on.rs\"\nrequired-features = [\"json\"]\n\n"
		 "[[bin]]\nname = \"off\"\npath = \"src/off.rs\"\n"
		 "required-features = [\"json\", \"extra\"]\n");
	fx_write("f/src/main.rs", "fn main() {}\n");
	fx_write("f/src/on.rs", "fn main() {}\n");
	fx_write("f/src/off.rs", "fn main() {}\n");
	assert_string_equal(bins("f"), "always on");
	fx_write("f/Cargo.toml",
		 "[package]\nname = \"f\"\nversion = \"0.1.0\"\n\n"
		 "[[bin]]\nname = \"x\"\npath = \"src/main.rs\"\nrequired-features = \"json\"\n");
	{
		struct strv sv = {0};

		assert_int_equal(cargo_bins("f", &sv), -1);
		assert_non_null(strstr(err_get(), "required-features must be an array of strings"));
	}
	fx_leave();
}

/* The keys a manifest's [profile.release] sets, in each TOML form: a header,
 * dotted keys, an inline table; a quoted key that is no profile key is left out. */
static void
profile_keys(void **state)
{
	static const struct {
		const char *toml, *want;
	} cases[] = {
		{"[package]\nname = \"p\"\n", ""},
		{"[profile.release]\nopt-level = 3\nlto = false\n", "opt-level lto"},
		{"[ profile . release ]\n  codegen-units=4\n", "codegen-units"},
		{"profile.release.strip = false\n[package]\nname = \"p\"\n", "strip"},
		{"[profile]\nrelease = { opt-level = 1, panic = \"abort\" }\n", "opt-level panic"},
		{"[profile.release]\n\"odd key\" = 1\ndebug = 1\n"
		 "[profile.release.package.foo]\nopt-level = 0\n", "debug package"},
		{"[profile.dev]\nopt-level = 1\n", ""},
	};
	size_t i;

	(void)state;
	fx_enter();
	for (i = 0; i < countof(cases); i++) {
		struct strv sv = {0};
		struct buf b = {0};

		fx_write("Cargo.toml", cases[i].toml);
		assert_int_equal(cargo_profile_keys(".", "release", &sv), 0);
		assert_int_equal(strv_join(&sv, &b), 0);
		assert_string_equal(b.s ? b.s : "", cases[i].want);
		strv_free(&sv);
		buf_free(&b);
	}
	fx_write("Cargo.toml", "[profile.release\n");
	{
		struct strv sv = {0};

		assert_int_equal(cargo_profile_keys(".", "release", &sv), -1);
		strv_free(&sv);
	}
	fx_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(profile_keys),
		cmocka_unit_test(single_package),
		cmocka_unit_test(explicit_targets),
		cmocka_unit_test(required_features),
		cmocka_unit_test(discovery_switches),
		cmocka_unit_test(workspace),
		cmocka_unit_test(root_package_and_outside),
		cmocka_unit_test(load_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

