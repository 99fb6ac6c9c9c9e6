/* lambda.c: registers the $(lambda-...) functions, each turning its arguments and
 * the settings (glue.h) into core calls and the result or error back to make. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnumake.h>

#include "cargo.h"
#include "cfg.h"
#include "check.h"
#include "cmd.h"
#include "ctx.h"
#include "dirs.h"
#include "proj.h"
#include "tdir.h"
#include "vendor.h"
#include "hash.h"
#include "layout.h"
#include "lock.h"
#include "quote.h"
#include "sam.h"
#include "mhash.h"
#include "skel.h"
#include "step.h"
#include "glue.h"
#include "walk.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT int plugin_is_GPL_compatible;

static char *
fn_hash(const char *nm, unsigned int argc, char **argv)
{
	struct strv words = {0};
	char hex[HASH_HEX + 1], *p, *tok, *save = NULL;
	int rc;

	(void)argc;
	for (tok = strtok_r(argv[0], " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
		if (strv_add(&words, tok) < 0)
			goto err;
	if (words.n == 0) {
		err_set("no path given");
		goto err;
	}
	rc = hash_paths((const char *const *)words.v, words.n, hex);
	if (rc < 0)
		goto err;
	strv_free(&words);
	p = gmk_alloc(sizeof(hex));
	memcpy(p, hex, sizeof(hex));
	return p;
err:
	strv_free(&words);
	return glue_fail(nm, err_get());
}

static char *
fn_manifest_hash(const char *nm, unsigned int argc, char **argv)
{
	char hex[HASH_HEX + 1], *p;

	(void)argc;
	if (mhash_dir(glue_trim(argv[0]), NULL, hex) < 0)
		return glue_fail(nm, err_get());
	p = gmk_alloc(sizeof(hex));
	memcpy(p, hex, sizeof(hex));
	return p;
}

static char *
fn_config(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0};
	struct cfg c;
	const char *dir;
	int rc;

	/* a layout dir depends on no setting: lambda.mk reads it while it is parsed */
	if (argc > 0 && (dir = cfg_dir(glue_trim(argv[0]))))
		return buf_adds(&out, dir) < 0 ? glue_fail(nm, err_get()) : glue_give(&out);
	if (glue_config(&c) < 0)
		return glue_fail(nm, err_get());
	if (argc > 0 && *glue_trim(argv[0]))
		rc = cfg_field(&c, glue_trim(argv[0]), &out);
	else
		rc = cfg_format(&c, &out);
	cfg_free(&c);
	if (rc < 0) {
		buf_free(&out);
		return glue_fail(nm, err_get());
	}
	return glue_give(&out);
}

static char *
fn_skeleton(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0};
	int n;

	(void)argc;
	n = skel_write(glue_trim(argv[0]), glue_trim(argv[1]), NULL);
	if (n < 0)
		return glue_fail(nm, err_get());
	buf_fmt(&out, "%d", n);
	return glue_give(&out);
}

static char *
fn_bins(const char *nm, unsigned int argc, char **argv)
{
	struct strv bins = {0};
	struct buf out = {0};

	(void)argc;
	if (cargo_bins(glue_trim(argv[0]), &bins) < 0)
		return glue_fail(nm, err_get());
	strv_join(&bins, &out);
	strv_free(&bins);
	return glue_give(&out);
}

/* $(lambda-archs VALUE): the architectures a LAMBDA_ARCH value selects, for
 * lambda.mk's targets; nothing for an invalid value, which lambda-validate
 * reports (a parse-time error would break the including Makefile). */
static char *
fn_archs(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0};

	(void)argc;
	if (cfg_arch_names(cfg_arch_set(argv[0]), &out) < 0)
		return glue_fail(nm, "out of memory");
	return glue_give(&out);
}


static char *
fn_commands(const char *nm, unsigned int argc, char **argv)
{
	struct glue_env v;
	struct buf out = {0};
	enum cfg_mode mode;
	unsigned arch, bit;
	const char *stage = argc > 2 && *glue_trim(argv[2]) ? glue_trim(argv[2]) : NULL;
	char *m = glue_trim(argv[0]);

	if (!strcmp(m, "prune")) {
		if (glue_env_load(&v) < 0 || cmd_prune(&v.e, &out) < 0)
			goto err;
		return glue_done(nm, &v, &out, 1);
	}
	if (cfg_mode(m, &mode) < 0) {
		err_set("invalid mode '%.40s' (valid: dev, prod, docker, prune)", m);
		return glue_fail(nm, err_get());
	}
	if (glue_env_load(&v) < 0 || glue_arch(&v, argc > 1 ? argv[1] : "", &arch) < 0)
		goto err;
	if (mode == CFG_DEV) {
		struct proj pj;
		struct strv files = {0}, skip = {0};
		int r;

		/* the container sees the project through a bind mount: what the patterns
		 * exclude is masked in it (dev-container.sh --mask) */
		if (proj_open(&pj, v.e.dir, &v.e.cfg.exclude) < 0)
			goto err;
		r = pj.ign.n && (vendor_dirs(v.e.dir, &skip) < 0 || tdir_add(v.e.dir, &skip) < 0 ||
				 proj_walk(&pj, v.e.dir, &skip, NULL, &files) < 0);
		strv_free(&files);
		strv_free(&skip);
		v.e.masked = &pj.masked;
		r = r || cmd_build(&v.e, mode, arch, stage, &out) < 0;
		proj_close(&pj);
		if (r)
			goto err;
	} else {
		for (bit = CFG_X86_64; bit <= CFG_ARM64; bit <<= 1)
			if ((arch & bit) && cmd_build(&v.e, mode, bit, stage, &out) < 0)
				goto err;
	}
	return glue_done(nm, &v, &out, 1);
err:
	return glue_done(nm, &v, &out, 0);
}

/* $(lambda-step STAGE,ARCH): the commands that bring a prod stage up to date
 * followed by its stamp update, or nothing when its content key is unchanged. */
static char *
fn_step(const char *nm, unsigned int argc, char **argv)
{
	struct glue_env v;
	struct buf out = {0}, helper = {0};
	char key[HASH_HEX + 1];
	const char *stage = glue_trim(argv[0]);
	unsigned arch;
	int fresh;

	(void)argc;
	if (glue_env_load(&v) < 0 || glue_arch(&v, argv[1], &arch) < 0)
		goto err;
	if (arch != CFG_X86_64 && arch != CFG_ARM64) {
		err_set("one architecture per step (x86_64 or arm64)");
		goto err;
	}
	if (step_key(&v.e, stage, arch, key) < 0)
		goto err;
	fresh = step_fresh(&v.e, stage, arch, key);
	if (fresh < 0)
		goto err;
	if (!fresh) {
		if (v.e.cfg.verbose) {
			if (step_explain(&v.e, stage, arch, &helper) < 0)
				goto err;
			glue_say("info", "lambda-make", helper.s);
			helper.len = 0;
		}
		if (!glue_dry_run() && (glue_lock(v.e.dir) < 0 || step_record(&v.e, stage, arch) < 0))
			goto err;
		/* quiet: lambda-stage.sh says one line per stage; make echoes the
		 * command line only with LAMBDA_VERBOSE (make -n prints it anyway) */
		if (!v.e.cfg.verbose && buf_addc(&helper, '@') < 0)
			goto err;
		/* dev: the dev container's build of this arch, stamped like a stage */
		if (!strcmp(stage, "dev") ? cmd_build(&v.e, CFG_DEV, arch, NULL, &out) < 0
					  : cmd_build(&v.e, CFG_PROD, arch, stage, &out) < 0)
			goto err;
		if (!strcmp(stage, "runtime") &&
		    cmd_build(&v.e, CFG_PROD, arch, "package", &out) < 0)
			goto err;
		/* the stamp is written last, atomically, by the stamp helper */
		if (step_stamp_cmd(&v.e, stage, arch, key, &out) < 0)
			goto err;
		if (helper.len) { /* the '@' goes first */
			if (buf_adds(&helper, out.s) < 0)
				goto err;
			buf_free(&out);
			out = helper;
			helper = (struct buf){0};
		}
	}
	buf_free(&helper);
	return glue_done(nm, &v, &out, 1);
err:
	buf_free(&helper);
	return glue_done(nm, &v, &out, 0);
}

/* $(lambda-key STAGE,ARCH): the stage's content key (dev: what lambda-watch polls). */
static char *
fn_key(const char *nm, unsigned int argc, char **argv)
{
	struct glue_env v;
	struct buf out = {0};
	char key[HASH_HEX + 1];
	unsigned arch;

	(void)argc;
	if (glue_env_load(&v) < 0 || glue_arch(&v, argv[1], &arch) < 0)
		goto err;
	if (arch != CFG_X86_64 && arch != CFG_ARM64) {
		err_set("one architecture per key (x86_64 or arm64)");
		goto err;
	}
	if (step_key(&v.e, glue_trim(argv[0]), arch, key) < 0 || buf_adds(&out, key) < 0)
		goto err;
	return glue_done(nm, &v, &out, 1);
err:
	return glue_done(nm, &v, &out, 0);
}

/* The make command line lambda-watch polls and rebuilds with: lambda.mk itself
 * (not the including Makefile) with every setting that reaches a dev build. */
static int
watch_make(struct strv *args)
{
	static const char *const names[] = {
		"LAMBDA_PLUGIN", "LAMBDA_HOME", "LAMBDA_DIR", "LAMBDA_ARCH", "LAMBDA_RUNTIME",
		"LAMBDA_BASE_IMAGE", "LAMBDA_CARGO_FLAGS", "LAMBDA_FUNCTIONS", "LAMBDA_CONTAINER",
		"LAMBDA_DOCKER", "LAMBDA_CARGO_HOME", "LAMBDA_PROJECT", "LAMBDA_VERBOSE",
		"SOURCE_DATE_EPOCH",
	};
	struct buf b = {0};
	char *v;
	size_t i;
	int rc = -1;

	v = glue_var("MAKE");
	rc = strv_add(args, *glue_trim(v) ? glue_trim(v) : "make");
	gmk_free(v);
	if (rc < 0 || strv_add(args, "--no-print-directory") < 0 || strv_add(args, "-s") < 0 ||
	    strv_add(args, "-f") < 0)
		return -1;
	v = glue_var("LAMBDA__HERE");
	rc = buf_fmt(&b, "%slambda.mk", glue_trim(v)) < 0 ? -1 : strv_add(args, b.s);
	gmk_free(v);
	for (i = 0; rc == 0 && i < countof(names); i++) {
		b.len = 0;
		v = glue_var(names[i]);
		rc = buf_fmt(&b, "%s=%s", names[i], glue_trim(v)) < 0 ? -1 : strv_add(args, b.s);
		gmk_free(v);
	}
	buf_free(&b);
	return rc;
}

/* $(lambda-local invoke|watch): the lambda-invoke / lambda-watch command line,
 * after checking what only they need (one arch; invoke: a function that is a
 * binary of the project, an event). */
static char *
fn_local(const char *nm, unsigned int argc, char **argv)
{
	struct glue_env v;
	struct buf out = {0}, list = {0};
	struct strv extra = {0};
	const char *what = glue_trim(argv[0]);
	unsigned arch;
	size_t i;

	(void)argc;
	if (glue_env_load(&v) < 0 || glue_arch(&v, "", &arch) < 0)
		goto err;
	if (!strcmp(what, "invoke")) {
		/* lambda.mk sets LAMBDA_FUNCTIONS to LAMBDA_FUNCTION: bins is that one
		 * (checked against the project), or every binary when it is unset */
		if (!*v.e.cfg.function && v.e.bins.n == 1)
			snprintf(v.e.cfg.function, sizeof(v.e.cfg.function), "%s", v.e.bins.v[0]);
		if (!*v.e.cfg.function) {
			for (i = 0; i < v.e.bins.n; i++)
				buf_fmt(&list, "%s%s", i ? ", " : "", v.e.bins.v[i]);
			err_set("LAMBDA_FUNCTION is not set: name the binary to invoke (%s)",
				list.s ? list.s : "");
			goto err;
		}
		if (!*v.e.cfg.event) {
			err_set("LAMBDA_EVENT is not set: a file holding the event JSON, or - to "
				"read it from stdin");
			goto err;
		}
	} else if (watch_make(&extra) < 0) {
		goto err;
	}
	if (cmd_local(&v.e, what, arch, &extra, &out) < 0)
		goto err;
	strv_free(&extra);
	buf_free(&list);
	return glue_done(nm, &v, &out, 1);
err:
	strv_free(&extra);
	buf_free(&list);
	return glue_done(nm, &v, &out, 0);
}

/* $(lambda-explain STAGE,ARCH): one line saying whether the stage is up to date and,
 * if not, which of its inputs changed since its last successful run. */
static char *
fn_explain(const char *nm, unsigned int argc, char **argv)
{
	struct glue_env v;
	struct buf out = {0};
	unsigned arch;

	(void)argc;
	if (glue_env_load(&v) < 0 || glue_arch(&v, argv[1], &arch) < 0)
		goto err;
	if (arch != CFG_X86_64 && arch != CFG_ARM64) {
		err_set("one architecture per explanation (x86_64 or arm64)");
		goto err;
	}
	if (step_explain(&v.e, glue_trim(argv[0]), arch, &out) < 0)
		goto err;
	return glue_done(nm, &v, &out, 1);
err:
	return glue_done(nm, &v, &out, 0);
}

/* $(lambda-context): sync <LAMBDA_DIR>/.lambda/ctx; expands to the number of files
 * written or removed. */
static char *
fn_context(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0};
	struct proj pj;
	struct cfg c;
	char *dir = glue_var("LAMBDA_DIR"), *ch = glue_var("LAMBDA_CARGO_HOME"), *home = glue_var("LAMBDA_HOME");
	struct buf tools = {0};
	size_t i;
	int n = -1;

	(void)argc, (void)argv;
	if (!*glue_trim(home))
		err_set("LAMBDA_HOME is empty: include lambda.mk rather than loading the module alone");
	else if (buf_fmt(&tools, "%s/" CTX_TOOLS, glue_trim(home)) == 0)
		n = glue_lock(glue_trim(dir));
	if (n == 0 && glue_config(&c) == 0) {
		n = ctx_sync(glue_trim(dir), tools.s, glue_trim(ch), &c.exclude, &pj);
		cfg_free(&c);
	} else {
		n = -1;
	}
	gmk_free(dir);
	gmk_free(ch);
	gmk_free(home);
	buf_free(&tools);
	if (n < 0)
		return glue_fail(nm, err_get());
	for (i = 0; i < pj.outside.n; i++) {
		struct buf w = {0};

		buf_fmt(&w, "%s: a symlink to a file outside the project: left out of the build",
			pj.outside.v[i]);
		if (w.s)
			glue_say("warning", "lambda-make", w.s);
		buf_free(&w);
	}
	for (i = 0; i < pj.kept.n; i++) {
		struct buf w = {0};
		const char *tab = strchr(pj.kept.v[i], '\t');

		buf_fmt(&w, "%.*s: excluded by the pattern '%s', but Cargo needs it: kept in the "
			"build (narrow the pattern, or add !%.*s after it)",
			(int)(tab - pj.kept.v[i]), pj.kept.v[i], tab + 1,
			(int)(tab - pj.kept.v[i]), pj.kept.v[i]);
		if (w.s)
			glue_say("warning", "lambda-make", w.s);
		buf_free(&w);
	}
	proj_close(&pj);
	buf_fmt(&out, "%d", n);
	return glue_give(&out);
}

/* $(lambda-check PATH,ARCH[,RUNTIME]): check_path's summary lines; any failure is
 * a make error saying what to do. */
static char *
fn_check(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0};
	const char *runtime = argc > 2 && *glue_trim(argv[2]) ? glue_trim(argv[2]) : "al2023";

	if (check_path(glue_trim(argv[0]), glue_trim(argv[1]), runtime, &out) < 0) {
		buf_free(&out);
		return glue_fail(nm, err_get());
	}
	return glue_give(&out);
}

/* The entry of a build-<LogicalId> target: its bin and, in key, the content key of
 * the runtime stage for the one LAMBDA_ARCH; checks ARTIFACTS_DIR is given. */
static int
sam_entry(struct glue_env *v, const char *id, const char *ad, const char **bin, char *key)
{
	size_t i;

	*bin = NULL;
	for (i = 0; i < v->e.cfg.sam_ids.n; i++)
		if (!strcmp(v->e.cfg.sam_ids.v[i], id))
			*bin = v->e.cfg.sam_bins.v[i];
	if (!*bin) {
		err_set("build-%s: '%s' is not a logical ID of LAMBDA_SAM_FUNCTIONS", id, id);
		return -1;
	}
	if (!strv_has(&v->e.bins, *bin)) {
		struct buf fl = {0};

		for (i = 0; i < v->e.bins.n; i++)
			buf_fmt(&fl, "%s%s", i ? ", " : "", v->e.bins.v[i]);
		err_set("LAMBDA_SAM_FUNCTIONS: %s=%s: '%s' is not a function lambda-prod builds "
			"(functions: %s; set by LAMBDA_FUNCTIONS, default every binary but the "
			"LAMBDA_EXTENSIONS)", id, *bin, *bin, fl.s ? fl.s : "none");
		buf_free(&fl);
		return -1;
	}
	if (v->e.cfg.arch != CFG_X86_64 && v->e.cfg.arch != CFG_ARM64) {
		err_set("build-%s: AWS SAM builds one architecture at a time: set LAMBDA_ARCH to "
			"the template's Architectures (x86_64 or arm64), e.g. LAMBDA_ARCH=arm64 sam "
			"build", id);
		return -1;
	}
	if (!*ad) {
		err_set("build-%s: ARTIFACTS_DIR is not set: this target is run by 'sam build' "
			"(BuildMethod: makefile), which sets it; by hand: make build-%s "
			"ARTIFACTS_DIR=DIR", id, id);
		return -1;
	}
	return step_key(&v->e, "runtime", v->e.cfg.arch, key);
}

/* $(lambda-sam-fresh LOGICALID,STORE): "yes" if STORE holds LOGICALID's bootstrap
 * for the current content key (an earlier build-* of the same sam build, or of the
 * same code, stored it), so no build is needed; else "". Checks the entry. */
static char *
fn_sam_fresh(const char *nm, unsigned int argc, char **argv)
{
	struct glue_env v;
	struct buf p = {0}, out = {0};
	struct stat st;
	char key[HASH_HEX + 1], *ad = glue_var("ARTIFACTS_DIR");
	const char *bin;

	(void)argc;
	if (glue_env_load(&v) < 0 || sam_entry(&v, glue_trim(argv[0]), glue_trim(ad), &bin, key) < 0 ||
	    sam_stored(glue_trim(argv[1]), cfg_arch_name(v.e.cfg.arch), key, bin, &p) < 0)
		goto err;
	if (stat(p.s, &st) == 0 && S_ISREG(st.st_mode) && buf_adds(&out, "yes") < 0)
		goto err;
	buf_free(&p);
	gmk_free(ad);
	return glue_done(nm, &v, &out, 1);
err:
	buf_free(&p);
	gmk_free(ad);
	return glue_done(nm, &v, &out, 0);
}

/* $(lambda-sam LOGICALID,STORE): put LOGICALID's bootstrap into $(ARTIFACTS_DIR)
 * (what AWS SAM's BuildMethod: makefile expects), mode 0755, by rename: from STORE
 * when it holds the current key's, else from target/lambda/<arch> (lambda-prod just
 * built it), storing every function's there for the next build-* of this sam
 * build. Expands to a summary line. */
static char *
fn_sam(const char *nm, unsigned int argc, char **argv)
{
	struct glue_env v;
	struct buf src = {0}, from = {0}, out = {0};
	struct stat st;
	const char *id = glue_trim(argv[0]), *store = glue_trim(argv[1]), *bin, *an;
	char key[HASH_HEX + 1], *ad = glue_var("ARTIFACTS_DIR");
	long n;
	int stored;

	(void)argc;
	if (glue_env_load(&v) < 0 || sam_entry(&v, id, glue_trim(ad), &bin, key) < 0)
		goto err;
	if (glue_dry_run()) {
		gmk_free(ad);
		return glue_done(nm, &v, &out, 1);
	}
	an = cfg_arch_name(v.e.cfg.arch);
	if (sam_stored(store, an, key, bin, &src) < 0)
		goto err;
	stored = stat(src.s, &st) == 0;
	if (!stored) {
		if (buf_fmt(&from, "%s/" DIRS_PKG "/%s", v.e.dir, an) < 0 ||
		    sam_store(store, an, key, from.s, &v.e.bins) < 0)
			goto err;
	}
	if ((n = sam_place(src.s, glue_trim(ad))) < 0)
		goto err;
	buf_fmt(&out, "lambda-make: build-%s: %s/bootstrap (%s, %ld bytes%s)", id, glue_trim(ad), an,
		n, stored ? ", built earlier in this sam build or before" : "");
	buf_free(&src);
	buf_free(&from);
	gmk_free(ad);
	return glue_done(nm, &v, &out, 1);
err:
	buf_free(&src);
	buf_free(&from);
	gmk_free(ad);
	return glue_done(nm, &v, &out, 0);
}

/* $(lambda-quote TEXT): TEXT as one shell word, for recipes of the including Makefile. */
static char *
fn_quote(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0};

	(void)argc;
	if (quote_sh(&out, glue_trim(argv[0])) < 0)
		return glue_fail(nm, err_get());
	return glue_give(&out);
}

EXPORT int lambda_gmk_setup(const gmk_floc *floc);

int
lambda_gmk_setup(const gmk_floc *floc)
{
	/* names are kept by make 4.3, not copied: literals only */
	gmk_add_function("lambda-hash", fn_hash, 1, 1, 0);
	gmk_add_function("lambda-manifest-hash", fn_manifest_hash, 1, 1, 0);
	gmk_add_function("lambda-config", fn_config, 0, 1, 0);
	gmk_add_function("lambda-skeleton", fn_skeleton, 2, 2, 0);
	gmk_add_function("lambda-bins", fn_bins, 1, 1, 0);
	gmk_add_function("lambda-archs", fn_archs, 1, 1, 0);
	gmk_add_function("lambda-commands", fn_commands, 1, 3, 0);
	gmk_add_function("lambda-step", fn_step, 2, 2, 0);
	gmk_add_function("lambda-explain", fn_explain, 2, 2, 0);
	gmk_add_function("lambda-key", fn_key, 2, 2, 0);
	gmk_add_function("lambda-local", fn_local, 1, 1, 0);
	gmk_add_function("lambda-context", fn_context, 0, 0, 0);
	gmk_add_function("lambda-quote", fn_quote, 1, 1, 0);
	gmk_add_function("lambda-check", fn_check, 2, 3, 0);
	gmk_add_function("lambda-sam", fn_sam, 2, 2, 0);
	gmk_add_function("lambda-sam-fresh", fn_sam_fresh, 2, 2, 0);
	/* make reads $(name) without a space as a variable: these variables make
	 * the argument-less calls $(lambda-config) and $(lambda-context) work */
	gmk_eval("lambda-config = $(lambda-config )\n"
		 "lambda-context = $(lambda-context )\n", floc);
	return 1;
}
