/* lambda.c: the make glue. Registers the $(lambda-...) functions and turns core
 * errors into make errors; the only file that knows about gnumake.h. */
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
#include "walk.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT int plugin_is_GPL_compatible;

/* Evaluate $(FUNC PREFIX: MSG) through make (FUNC: error, info). The message travels
 * in a define so that $, ), # and commas in it survive. */
static void
make_say(const char *func, const char *prefix, const char *msg)
{
	struct buf b = {0};
	const char *p;

	buf_adds(&b, "define LAMBDA__MSG\n");
	if (prefix)
		buf_fmt(&b, "%s: ", prefix);
	for (p = msg; *p; p++) {
		if (*p == '$')
			buf_addc(&b, '$');
		buf_addc(&b, *p == '\n' ? ' ' : *p);
	}
	buf_fmt(&b, "\nendef\n$(%s $(LAMBDA__MSG))\n", func);
	if (b.s)
		gmk_eval(b.s, NULL);
	buf_free(&b);
}

/* Make an error through make's own path: exit 2 with make's cleanup. */
static char *
fail(const char *fn, const char *msg)
{
	make_say("error", fn, msg);
	return NULL;
}

/* Hand a core string to make: results must live in gmk_alloc'd memory. */
static char *
give(struct buf *b)
{
	char *r = gmk_alloc(b->len + 1);

	memcpy(r, b->s ? b->s : "", b->len);
	r[b->len] = '\0';
	buf_free(b);
	return r;
}

/* One argument with surrounding blanks removed: a path may contain inner spaces. */
static char *
arg_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* A make variable's current value (caller frees with gmk_free). */
static char *
var(const char *name)
{
	char ref[64];

	snprintf(ref, sizeof(ref), "$(%s)", name);
	return gmk_expand(ref);
}

/* True under make -n: lambda.mk's LAMBDA__DRYRUN says so; nothing may be written. */
static int
dry_run(void)
{
	char *d = var("LAMBDA__DRYRUN");
	int yes = *arg_trim(d) != '\0';

	gmk_free(d);
	return yes;
}

/* Hold DIR/.lambda/lock for the rest of this make: one build of a project at a
 * time (another make, or the commands a killed make left running, which keep
 * the fd). A sub-make that inherited the lock (LAMBDA__LOCK_FD) uses it. */
static int
project_lock(const char *dir)
{
	static int held = -1;
	struct buf p = {0};
	char *inh, *end, set[64];
	long n;
	int fd, busy, rc = -1;

	if (held >= 0)
		return 0;
	if (buf_fmt(&p, "%s/.lambda", dir) < 0 || dir_make(p.s) < 0 || buf_adds(&p, "/lock") < 0)
		goto out;
	inh = getenv("LAMBDA__LOCK_FD");
	n = inh && *inh ? strtol(inh, &end, 10) : -1;
	if (n >= 0 && n < 65536 && !*end && lock_same((int)n, p.s)) {
		held = (int)n;
	} else {
		if ((fd = lock_open(p.s, &busy)) < 0)
			goto out;
		if (busy) {
			struct buf m = {0};

			buf_fmt(&m, "waiting for another build of this project to end (it holds %s; "
				    "the commands of a killed make may still be running)", p.s);
			if (m.s)
				make_say("info", "lambda-make", m.s);
			buf_free(&m);
			if (lock_wait(fd) < 0) {
				close(fd);
				goto out;
			}
		}
		held = fd;
	}
	snprintf(set, sizeof(set), "export LAMBDA__LOCK_FD := %d\n", held);
	gmk_eval(set, NULL);
	rc = 0;
out:
	buf_free(&p);
	return rc;
}

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
	return fail(nm, err_get());
}

static char *
fn_manifest_hash(const char *nm, unsigned int argc, char **argv)
{
	char hex[HASH_HEX + 1], *p;

	(void)argc;
	if (mhash_dir(arg_trim(argv[0]), NULL, hex) < 0)
		return fail(nm, err_get());
	p = gmk_alloc(sizeof(hex));
	memcpy(p, hex, sizeof(hex));
	return p;
}

/* Read the LAMBDA_* variables into a validated config. */
static int
config_load(struct cfg *c)
{
	static const struct {
		const char *name;
		size_t off; /* of the field in struct cfg_in */
	} vars[] = {
		{"LAMBDA_ARCH", offsetof(struct cfg_in, arch)},
		{"LAMBDA_RUNTIME", offsetof(struct cfg_in, runtime)},
		{"LAMBDA_CONTAINER", offsetof(struct cfg_in, container)},
		{"LAMBDA_CARGO_FLAGS", offsetof(struct cfg_in, cargo_flags)},
		{"LAMBDA_FUNCTIONS", offsetof(struct cfg_in, functions)},
		{"LAMBDA_VERBOSE", offsetof(struct cfg_in, verbose)},
		{"LAMBDA_CACHE_REGISTRY", offsetof(struct cfg_in, cache_registry)},
		{"LAMBDA_FUNCTION", offsetof(struct cfg_in, function)},
		{"LAMBDA_EVENT", offsetof(struct cfg_in, event)},
		{"LAMBDA_TIMEOUT", offsetof(struct cfg_in, timeout)},
		{"LAMBDA_WATCH_ADDR", offsetof(struct cfg_in, watch_addr)},
		{"LAMBDA_EXCLUDE", offsetof(struct cfg_in, exclude)},
		{"LAMBDA_SAM_FUNCTIONS", offsetof(struct cfg_in, sam_functions)},
		{"LAMBDA_EXTENSIONS", offsetof(struct cfg_in, extensions)},
	};
	char *v[countof(vars)];
	struct cfg_in in = {0};
	size_t i;
	int rc;

	for (i = 0; i < countof(vars); i++) {
		v[i] = var(vars[i].name);
		*(const char **)((char *)&in + vars[i].off) = v[i];
	}
	rc = cfg_parse(&in, c);
	for (i = 0; i < countof(vars); i++)
		gmk_free(v[i]);
	return rc;
}

static char *
fn_config(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0};
	struct cfg c;
	int rc;

	if (config_load(&c) < 0)
		return fail(nm, err_get());
	if (argc > 0 && *arg_trim(argv[0]))
		rc = cfg_field(&c, arg_trim(argv[0]), &out);
	else
		rc = cfg_format(&c, &out);
	cfg_free(&c);
	if (rc < 0) {
		buf_free(&out);
		return fail(nm, err_get());
	}
	return give(&out);
}

static char *
fn_skeleton(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0};
	int n;

	(void)argc;
	n = skel_write(arg_trim(argv[0]), arg_trim(argv[1]), NULL);
	if (n < 0)
		return fail(nm, err_get());
	buf_fmt(&out, "%d", n);
	return give(&out);
}

static char *
fn_bins(const char *nm, unsigned int argc, char **argv)
{
	struct strv bins = {0};
	struct buf out = {0};

	(void)argc;
	if (cargo_bins(arg_trim(argv[0]), &bins) < 0)
		return fail(nm, err_get());
	strv_join(&bins, &out);
	strv_free(&bins);
	return give(&out);
}


/* The variables struct env reads, in the order of env.vars. */
static const char *const env_names[] = {
	"LAMBDA_DIR", "LAMBDA_HOME", "LAMBDA_DOCKER", "LAMBDA__BASE",
	"LAMBDA_PROJECT", "SOURCE_DATE_EPOCH", "LAMBDA_CARGO_HOME",
};

/* Everything a build command needs, read from the LAMBDA_* variables. */
struct env {
	struct cmd_env e;
	char *vars[countof(env_names)];
	char project[128];
	struct layout lo;       /* where the project sits in the context (e.subdir) */
};

static void
env_free(struct env *v)
{
	size_t i;

	for (i = 0; i < countof(v->vars); i++)
		if (v->vars[i])
			gmk_free(v->vars[i]);
	cfg_free(&v->e.cfg);
	strv_free(&v->e.bins);
	layout_free(&v->lo);
	strv_free(&v->e.exts);
}

/* The extensions, the SAM entries and the functions, checked against each other:
 * an extension is no function; a SAM entry names a function lambda-prod builds. */
static int
env_roles(struct env *v, const struct strv *all, const char *list)
{
	struct cfg *c = &v->e.cfg;
	struct buf fl = {0};
	size_t i;
	int rc = -1;

	for (i = 0; i < c->extensions.n; i++) {
		if (!strv_has(all, c->extensions.v[i])) {
			err_set("LAMBDA_EXTENSIONS: '%s' is not a binary of %s (binaries: %s)",
				c->extensions.v[i], v->e.dir, list);
			goto out;
		}
		if (strv_has(&c->functions, c->extensions.v[i])) {
			err_set("'%s' is in both LAMBDA_FUNCTIONS and LAMBDA_EXTENSIONS: an extension "
				"is packaged in the layer, not as a function; name it in one of them",
				c->extensions.v[i]);
			goto out;
		}
		if (strv_add(&v->e.exts, c->extensions.v[i]) < 0)
			goto out;
	}
	if (v->e.exts.n && strv_has(&v->e.bins, "extensions")) {
		err_set("a function named 'extensions' would share target/lambda/<arch>/extensions/ "
			"with the LAMBDA_EXTENSIONS layer: rename the binary or leave it out of "
			"LAMBDA_FUNCTIONS");
		goto out;
	}
	for (i = 0; i < v->e.bins.n; i++)
		if (buf_fmt(&fl, "%s%s", i ? ", " : "", v->e.bins.v[i]) < 0)
			goto out;
	/* a binary that is no extension; whether this build makes it (LAMBDA_FUNCTIONS)
	 * is build-*'s to check (sam_entry): lambda-invoke builds one function alone */
	for (i = 0; i < c->sam_ids.n; i++)
		if (!strv_has(all, c->sam_bins.v[i]) || strv_has(&c->extensions, c->sam_bins.v[i])) {
			err_set("LAMBDA_SAM_FUNCTIONS: %s=%s: '%s' is not a function lambda-prod "
				"builds (functions: %s; set by LAMBDA_FUNCTIONS, default every binary "
				"but the LAMBDA_EXTENSIONS)", c->sam_ids.v[i], c->sam_bins.v[i],
				c->sam_bins.v[i], fl.s ? fl.s : "none");
			goto out;
		}
	rc = 0;
out:
	buf_free(&fl);
	return rc;
}

/* Check each requested function against the project's binaries. */
static int
env_bins(struct env *v)
{
	struct strv all = {0};
	struct buf list = {0};
	size_t i, j;
	int rc = -1;

	if (cargo_bins(v->e.dir, &all) < 0)
		return -1;
	if (all.n == 0) {
		err_set("%s: the project has no binary target (a Lambda function is a bin)",
			v->e.dir);
		goto out;
	}
	for (j = 0; j < all.n; j++)
		if (buf_fmt(&list, "%s%s", j ? ", " : "", all.v[j]) < 0)
			goto out;
	if (v->e.cfg.functions.n == 0) {
		for (i = 0; i < all.n; i++)
			if (!strv_has(&v->e.cfg.extensions, all.v[i]) && strv_add(&v->e.bins, all.v[i]) < 0)
				goto out;
		rc = env_roles(v, &all, list.s);
		goto out;
	}
	for (i = 0; i < v->e.cfg.functions.n; i++) {
		if (!strv_has(&all, v->e.cfg.functions.v[i])) {
			/* lambda-invoke builds LAMBDA_FUNCTION alone (lambda.mk) */
			err_set("%s: '%s' is not a binary of %s (binaries: %s)",
				strcmp(v->e.cfg.function, v->e.cfg.functions.v[i]) ?
					"LAMBDA_FUNCTIONS" : "LAMBDA_FUNCTION",
				v->e.cfg.functions.v[i], v->e.dir, list.s);
			goto out;
		}
		if (strv_add(&v->e.bins, v->e.cfg.functions.v[i]) < 0)
			goto out;
	}
	rc = env_roles(v, &all, list.s);
out:
	strv_free(&all);
	buf_free(&list);
	return rc;
}

static int
env_load(struct env *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < countof(env_names); i++)
		v->vars[i] = var(env_names[i]);
	if (config_load(&v->e.cfg) < 0)
		return -1;
	v->e.dir = arg_trim(v->vars[0]);
	v->e.home = arg_trim(v->vars[1]);
	v->e.docker = arg_trim(v->vars[2]);
	v->e.base_image = arg_trim(v->vars[3]);
	v->e.epoch = arg_trim(v->vars[5]);
	v->e.cargo_home = arg_trim(v->vars[6]);
	for (i = 0; i < countof(env_names); i++)
		if (cfg_text_ok(env_names[i], v->vars[i]) < 0)
			return -1;
	if (!*v->e.dir || v->e.dir[0] != '/') {
		err_set("LAMBDA_DIR must be an absolute path (got '%.200s')", v->e.dir);
		return -1;
	}
	if (!*v->e.home) {
		err_set("LAMBDA_HOME is empty: include lambda.mk rather than loading the module alone");
		return -1;
	}
	if (!*v->e.docker)
		v->e.docker = "docker";
	if (!*v->e.epoch)
		v->e.epoch = "315532800"; /* 1980-01-01, the zip format's epoch */
	if (strspn(v->e.epoch, "0123456789") != strlen(v->e.epoch)) {
		err_set("SOURCE_DATE_EPOCH: '%.40s' is not a number of seconds", v->e.epoch);
		return -1;
	}
	if (*arg_trim(v->vars[4])) {
		snprintf(v->project, sizeof(v->project), "%s", arg_trim(v->vars[4]));
		if (cmd_project(v->project, v->project, sizeof(v->project)) < 0)
			return -1;
	} else if (cmd_project(v->e.dir, v->project, sizeof(v->project)) < 0) {
		return -1;
	}
	v->e.project = v->project;
	if (env_bins(v) < 0 || layout_load(v->e.dir, &v->lo) < 0)
		return -1;
	v->e.subdir = v->lo.prefix;
	v->e.outer = &v->lo.rel;
	return 0;
}

/* "" → every configured arch; else exactly one valid name. */
static int
arch_arg(const struct env *v, char *s, unsigned *out)
{
	s = arg_trim(s);
	if (!*s) {
		*out = v->e.cfg.arch;
		return 0;
	}
	*out = cfg_arch(s);
	if (!*out && strpbrk(s, " \t")) {
		/* lambda-dev-update, lambda-invoke, lambda-watch: LAMBDA_ARCH itself */
		err_set("one architecture at a time here: set LAMBDA_ARCH to x86_64 or arm64 "
			"(got '%.40s')", s);
		return -1;
	}
	if (!*out) {
		err_set("invalid architecture '%.40s' (valid: x86_64, arm64)", s);
		return -1;
	}
	return 0;
}

static char *
fn_commands(const char *nm, unsigned int argc, char **argv)
{
	struct env v;
	struct buf out = {0};
	enum cfg_mode mode;
	unsigned arch, bit;
	const char *stage = argc > 2 && *arg_trim(argv[2]) ? arg_trim(argv[2]) : NULL;
	char *m = arg_trim(argv[0]);

	if (!strcmp(m, "prune")) {
		if (env_load(&v) < 0 || cmd_prune(&v.e, &out) < 0)
			goto err;
		env_free(&v);
		return give(&out);
	}
	if (cfg_mode(m, &mode) < 0) {
		err_set("invalid mode '%.40s' (valid: dev, prod, docker, prune)", m);
		return fail(nm, err_get());
	}
	if (env_load(&v) < 0 || arch_arg(&v, argc > 1 ? argv[1] : "", &arch) < 0)
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
	env_free(&v);
	return give(&out);
err:
	env_free(&v);
	buf_free(&out);
	return fail(nm, err_get());
}

/* $(lambda-step STAGE,ARCH): the commands that bring a prod stage up to date
 * followed by its stamp update, or nothing when its content key is unchanged. */
static char *
fn_step(const char *nm, unsigned int argc, char **argv)
{
	struct env v;
	struct buf out = {0}, helper = {0};
	char key[HASH_HEX + 1];
	const char *stage = arg_trim(argv[0]);
	unsigned arch;
	int fresh;

	(void)argc;
	if (env_load(&v) < 0 || arch_arg(&v, argv[1], &arch) < 0)
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
			make_say("info", "lambda-make", helper.s);
			helper.len = 0;
		}
		if (!dry_run() && (project_lock(v.e.dir) < 0 || step_record(&v.e, stage, arch) < 0))
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
	env_free(&v);
	return give(&out);
err:
	buf_free(&helper);
	buf_free(&out);
	env_free(&v);
	return fail(nm, err_get());
}

/* $(lambda-key STAGE,ARCH): the stage's content key (dev: what lambda-watch polls). */
static char *
fn_key(const char *nm, unsigned int argc, char **argv)
{
	struct env v;
	struct buf out = {0};
	char key[HASH_HEX + 1];
	unsigned arch;

	(void)argc;
	if (env_load(&v) < 0 || arch_arg(&v, argv[1], &arch) < 0)
		goto err;
	if (arch != CFG_X86_64 && arch != CFG_ARM64) {
		err_set("one architecture per key (x86_64 or arm64)");
		goto err;
	}
	if (step_key(&v.e, arg_trim(argv[0]), arch, key) < 0 || buf_adds(&out, key) < 0)
		goto err;
	env_free(&v);
	return give(&out);
err:
	buf_free(&out);
	env_free(&v);
	return fail(nm, err_get());
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

	v = var("MAKE");
	rc = strv_add(args, *arg_trim(v) ? arg_trim(v) : "make");
	gmk_free(v);
	if (rc < 0 || strv_add(args, "--no-print-directory") < 0 || strv_add(args, "-s") < 0 ||
	    strv_add(args, "-f") < 0)
		return -1;
	v = var("LAMBDA__HERE");
	rc = buf_fmt(&b, "%slambda.mk", arg_trim(v)) < 0 ? -1 : strv_add(args, b.s);
	gmk_free(v);
	for (i = 0; rc == 0 && i < countof(names); i++) {
		b.len = 0;
		v = var(names[i]);
		rc = buf_fmt(&b, "%s=%s", names[i], arg_trim(v)) < 0 ? -1 : strv_add(args, b.s);
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
	struct env v;
	struct buf out = {0}, list = {0};
	struct strv extra = {0};
	const char *what = arg_trim(argv[0]);
	unsigned arch;
	size_t i;

	(void)argc;
	if (env_load(&v) < 0 || arch_arg(&v, "", &arch) < 0)
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
	env_free(&v);
	return give(&out);
err:
	strv_free(&extra);
	buf_free(&list);
	buf_free(&out);
	env_free(&v);
	return fail(nm, err_get());
}

/* $(lambda-explain STAGE,ARCH): one line saying whether the stage is up to date and,
 * if not, which of its inputs changed since its last successful run. */
static char *
fn_explain(const char *nm, unsigned int argc, char **argv)
{
	struct env v;
	struct buf out = {0};
	unsigned arch;

	(void)argc;
	if (env_load(&v) < 0 || arch_arg(&v, argv[1], &arch) < 0)
		goto err;
	if (arch != CFG_X86_64 && arch != CFG_ARM64) {
		err_set("one architecture per explanation (x86_64 or arm64)");
		goto err;
	}
	if (step_explain(&v.e, arg_trim(argv[0]), arch, &out) < 0)
		goto err;
	env_free(&v);
	return give(&out);
err:
	buf_free(&out);
	env_free(&v);
	return fail(nm, err_get());
}

/* $(lambda-context): sync <LAMBDA_DIR>/.lambda/ctx; expands to the number of files
 * written or removed. */
static char *
fn_context(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0};
	struct proj pj;
	struct cfg c;
	char *dir = var("LAMBDA_DIR"), *ch = var("LAMBDA_CARGO_HOME"), *home = var("LAMBDA_HOME");
	struct buf tools = {0};
	size_t i;
	int n = -1;

	(void)argc, (void)argv;
	if (!*arg_trim(home))
		err_set("LAMBDA_HOME is empty: include lambda.mk rather than loading the module alone");
	else if (buf_fmt(&tools, "%s/" CTX_TOOLS, arg_trim(home)) == 0)
		n = project_lock(arg_trim(dir));
	if (n == 0 && config_load(&c) == 0) {
		n = ctx_sync(arg_trim(dir), tools.s, arg_trim(ch), &c.exclude, &pj);
		cfg_free(&c);
	} else {
		n = -1;
	}
	gmk_free(dir);
	gmk_free(ch);
	gmk_free(home);
	buf_free(&tools);
	if (n < 0)
		return fail(nm, err_get());
	for (i = 0; i < pj.outside.n; i++) {
		struct buf w = {0};

		buf_fmt(&w, "%s: a symlink to a file outside the project: left out of the build",
			pj.outside.v[i]);
		if (w.s)
			make_say("warning", "lambda-make", w.s);
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
			make_say("warning", "lambda-make", w.s);
		buf_free(&w);
	}
	proj_close(&pj);
	buf_fmt(&out, "%d", n);
	return give(&out);
}

/* Check one function dir (bootstrap + optional bootstrap.zip); summary into out. */
static int
check_one(const char *fdir, const char *arch, const char *runtime, struct buf *out)
{
	struct buf b = {0}, z = {0};
	struct stat st;
	char glibc[32];
	int rc = -1;

	if (buf_fmt(&b, "%s/bootstrap", fdir) < 0 || buf_fmt(&z, "%s/bootstrap.zip", fdir) < 0)
		goto out;
	if (check_artifact(b.s, stat(z.s, &st) == 0 ? z.s : NULL, arch, runtime) < 0 ||
	    check_glibc_needed(b.s, glibc, sizeof(glibc)) < 0)
		goto out;
	rc = buf_fmt(out, "%slambda-check: %s: ok (%s, %s, %s)", out->len ? "\n" : "", b.s,
		     arch, *glibc ? glibc : "static", runtime);
out:
	buf_free(&b);
	buf_free(&z);
	return rc;
}

/* Check one extension of the layer (DIR/extensions/<ext>, DIR/extensions.zip): the
 * same checks as a function's bootstrap; summary into out. */
static int
check_ext(const char *dir, const char *rel, const char *arch, const char *runtime,
	  struct buf *out)
{
	struct buf b = {0}, z = {0};
	struct stat st;
	char glibc[32];
	int rc = -1;

	if (buf_fmt(&b, "%s/%s", dir, rel) < 0 || buf_fmt(&z, "%s/extensions.zip", dir) < 0)
		goto out;
	if (stat(z.s, &st) < 0) {
		err_set("%s: no extensions.zip beside it: build the layer with make lambda-prod "
			"(LAMBDA_EXTENSIONS)", b.s);
		goto out;
	}
	if (check_artifact(b.s, z.s, arch, runtime) < 0 ||
	    check_glibc_needed(b.s, glibc, sizeof(glibc)) < 0)
		goto out;
	rc = buf_fmt(out, "%slambda-check: %s: ok (extension, %s, %s, %s)", out->len ? "\n" : "",
		     b.s, arch, *glibc ? glibc : "static", runtime);
out:
	buf_free(&b);
	buf_free(&z);
	return rc;
}

/* $(lambda-check PATH,ARCH[,RUNTIME]): PATH is a bootstrap, a function dir holding
 * one, or target/lambda/<arch> (every function below it). Expands to one summary
 * line per function; any failure is a make error saying what to do. */
static char *
fn_check(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0}, p = {0};
	struct strv files = {0};
	const char *path = arg_trim(argv[0]), *arch = arg_trim(argv[1]);
	const char *runtime = argc > 2 && *arg_trim(argv[2]) ? arg_trim(argv[2]) : "al2023";
	struct stat st;
	size_t i, n;

	if (stat(path, &st) < 0) {
		err_sys("%s", path);
		goto err;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (check_artifact(path, NULL, arch, runtime) < 0)
			goto err;
		buf_fmt(&out, "lambda-check: %s: ok (%s, %s)", path, arch, runtime);
		return give(&out);
	}
	if (buf_fmt(&p, "%s/bootstrap", path) < 0)
		goto err;
	if (stat(p.s, &st) == 0) {
		if (check_one(path, arch, runtime, &out) < 0)
			goto err;
		buf_free(&p);
		return give(&out);
	}
	if (walk_files(path, &files) < 0)
		goto err;
	for (i = n = 0; i < files.n; i++) {
		const char *f = files.v[i], *slash = strchr(f, '/');

		/* the extensions layer: extensions/<ext> beside extensions.zip */
		if (slash && !strncmp(f, "extensions/", 11) && !strchr(slash + 1, '/')) {
			if (check_ext(path, f, arch, runtime, &out) < 0)
				goto err;
			n++;
			continue;
		}
		/* <fn>/bootstrap exactly */
		if (!slash || strcmp(slash + 1, "bootstrap"))
			continue;
		p.len = 0;
		if (buf_fmt(&p, "%s/%.*s", path, (int)(slash - f), f) < 0 ||
		    check_one(p.s, arch, runtime, &out) < 0)
			goto err;
		n++;
	}
	if (n == 0) {
		err_set("%s: no <function>/bootstrap to check: build first (make lambda-prod)", path);
		goto err;
	}
	strv_free(&files);
	buf_free(&p);
	return give(&out);
err:
	strv_free(&files);
	buf_free(&p);
	buf_free(&out);
	return fail(nm, err_get());
}

/* The entry of a build-<LogicalId> target: its bin and, in key, the content key of
 * the runtime stage for the one LAMBDA_ARCH; checks ARTIFACTS_DIR is given. */
static int
sam_entry(struct env *v, const char *id, const char *ad, const char **bin, char *key)
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
	struct env v;
	struct buf p = {0}, out = {0};
	struct stat st;
	char key[HASH_HEX + 1], *ad = var("ARTIFACTS_DIR");
	const char *bin;

	(void)argc;
	if (env_load(&v) < 0 || sam_entry(&v, arg_trim(argv[0]), arg_trim(ad), &bin, key) < 0 ||
	    sam_stored(arg_trim(argv[1]), cfg_arch_name(v.e.cfg.arch), key, bin, &p) < 0)
		goto err;
	if (stat(p.s, &st) == 0 && S_ISREG(st.st_mode) && buf_adds(&out, "yes") < 0)
		goto err;
	buf_free(&p);
	env_free(&v);
	gmk_free(ad);
	return give(&out);
err:
	buf_free(&p);
	buf_free(&out);
	env_free(&v);
	gmk_free(ad);
	return fail(nm, err_get());
}

/* $(lambda-sam LOGICALID,STORE): put LOGICALID's bootstrap into $(ARTIFACTS_DIR)
 * (what AWS SAM's BuildMethod: makefile expects), mode 0755, by rename: from STORE
 * when it holds the current key's, else from target/lambda/<arch> (lambda-prod just
 * built it), storing every function's there for the next build-* of this sam
 * build. Expands to a summary line. */
static char *
fn_sam(const char *nm, unsigned int argc, char **argv)
{
	struct env v;
	struct buf src = {0}, from = {0}, out = {0};
	struct stat st;
	const char *id = arg_trim(argv[0]), *store = arg_trim(argv[1]), *bin, *an;
	char key[HASH_HEX + 1], *ad = var("ARTIFACTS_DIR");
	long n;
	int stored;

	(void)argc;
	if (env_load(&v) < 0 || sam_entry(&v, id, arg_trim(ad), &bin, key) < 0)
		goto err;
	if (dry_run()) {
		env_free(&v);
		gmk_free(ad);
		return give(&out);
	}
	an = cfg_arch_name(v.e.cfg.arch);
	if (sam_stored(store, an, key, bin, &src) < 0)
		goto err;
	stored = stat(src.s, &st) == 0;
	if (!stored) {
		if (buf_fmt(&from, "%s/target/lambda/%s", v.e.dir, an) < 0 ||
		    sam_store(store, an, key, from.s, &v.e.bins) < 0)
			goto err;
	}
	if ((n = sam_place(src.s, arg_trim(ad))) < 0)
		goto err;
	buf_fmt(&out, "lambda-make: build-%s: %s/bootstrap (%s, %ld bytes%s)", id, arg_trim(ad), an,
		n, stored ? ", built earlier in this sam build or before" : "");
	buf_free(&src);
	buf_free(&from);
	env_free(&v);
	gmk_free(ad);
	return give(&out);
err:
	buf_free(&src);
	buf_free(&from);
	buf_free(&out);
	env_free(&v);
	gmk_free(ad);
	return fail(nm, err_get());
}

/* $(lambda-quote TEXT): TEXT as one shell word, for recipes of the including Makefile. */
static char *
fn_quote(const char *nm, unsigned int argc, char **argv)
{
	struct buf out = {0};

	(void)argc;
	if (quote_sh(&out, arg_trim(argv[0])) < 0)
		return fail(nm, err_get());
	return give(&out);
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
