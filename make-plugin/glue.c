/* glue.c: make's variables into the core's structures, results and errors back
 * to make (glue.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnumake.h>

#include "bins.h"
#include "cargo.h"
#include "dirs.h"
#include "err.h"
#include "glue.h"
#include "lock.h"
#include "walk.h"

/* Evaluate $(FUNC PREFIX: MSG) through make (FUNC: error, info). The message travels
 * in a define so that $, ), # and commas in it survive. */
void
glue_say(const char *func, const char *prefix, const char *msg)
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
char *
glue_fail(const char *fn, const char *msg)
{
	glue_say("error", fn, msg);
	return NULL;
}

/* Hand a core string to make: results must live in gmk_alloc'd memory. */
char *
glue_give(struct buf *b)
{
	char *r = gmk_alloc(b->len + 1);

	memcpy(r, b->s ? b->s : "", b->len);
	r[b->len] = '\0';
	buf_free(b);
	return r;
}

/* One argument with surrounding blanks removed: a path may contain inner spaces. */
char *
glue_trim(char *s)
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
char *
glue_var(const char *name)
{
	char ref[64];

	snprintf(ref, sizeof(ref), "$(%s)", name);
	return gmk_expand(ref);
}

/* True under make -n: lambda.mk's LAMBDA__DRYRUN says so; nothing may be written. */
int
glue_dry_run(void)
{
	char *d = glue_var("LAMBDA__DRYRUN");
	int yes = *glue_trim(d) != '\0';

	gmk_free(d);
	return yes;
}

/* Hold DIR/.lambda/lock for the rest of this make: one build of a project at a
 * time (another make, or the commands a killed make left running, which keep
 * the fd). A sub-make that inherited the lock (LAMBDA__LOCK_FD) uses it. */
int
glue_lock(const char *dir)
{
	static int held = -1;
	struct buf p = {0};
	char *inh, *end, set[64];
	long n;
	int fd, busy, rc = -1;

	if (held >= 0)
		return 0;
	if (buf_fmt(&p, "%s/" DIRS_OWN, dir) < 0 || dir_make(p.s) < 0 || buf_adds(&p, "/lock") < 0)
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
				glue_say("info", "lambda-make", m.s);
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

/* Read the LAMBDA_* variables and SOURCE_DATE_EPOCH into a validated config. */
int
glue_config(struct cfg *c)
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
		{"SOURCE_DATE_EPOCH", offsetof(struct cfg_in, epoch)},
	};
	char *v[countof(vars)];
	struct cfg_in in = {0};
	size_t i;
	int rc;

	for (i = 0; i < countof(vars); i++) {
		v[i] = glue_var(vars[i].name);
		*(const char **)((char *)&in + vars[i].off) = v[i];
	}
	rc = cfg_parse(&in, c);
	for (i = 0; i < countof(vars); i++)
		gmk_free(v[i]);
	return rc;
}

/* The variables struct glue_env reads, in the order of enum glue_var. */
static const char *const env_names[GLUE_NVARS] = {
	"LAMBDA_DIR", "LAMBDA_HOME", "LAMBDA_DOCKER", "LAMBDA__BASE",
	"LAMBDA_PROJECT", "LAMBDA_CARGO_HOME",
};

void
glue_env_free(struct glue_env *v)
{
	size_t i;

	for (i = 0; i < countof(v->vars); i++)
		if (v->vars[i])
			gmk_free(v->vars[i]);
	cfg_free(&v->e.cfg);
	strv_free(&v->e.bins);
	layout_free(&v->lo);
	strv_free(&v->e.exts);
	strv_free(&v->e.profile_own);
}

char *
glue_done(const char *fn, struct glue_env *v, struct buf *out, int ok)
{
	glue_env_free(v);
	if (ok)
		return glue_give(out);
	buf_free(out);
	return glue_fail(fn, err_get());
}

int
glue_env_load(struct glue_env *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < countof(env_names); i++)
		v->vars[i] = glue_var(env_names[i]);
	if (glue_config(&v->e.cfg) < 0)
		return -1;
	v->e.dir = glue_trim(v->vars[GLUE_DIR]);
	v->e.home = glue_trim(v->vars[GLUE_HOME]);
	v->e.docker = glue_trim(v->vars[GLUE_DOCKER]);
	v->e.base_image = glue_trim(v->vars[GLUE_BASE]);
	v->e.epoch = v->e.cfg.epoch;
	v->e.cargo_home = glue_trim(v->vars[GLUE_CARGO_HOME]);
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
	if (*glue_trim(v->vars[GLUE_PROJECT])) {
		snprintf(v->project, sizeof(v->project), "%s", glue_trim(v->vars[GLUE_PROJECT]));
		if (cmd_project(v->project, v->project, sizeof(v->project)) < 0)
			return -1;
	} else if (cmd_project(v->e.dir, v->project, sizeof(v->project)) < 0) {
		return -1;
	}
	v->e.project = v->project;
	if (bins_pick(&v->e) < 0 || layout_load(v->e.dir, &v->lo) < 0 ||
	    cargo_profile_keys(v->e.dir, "release", &v->e.profile_own) < 0)
		return -1;
	v->e.subdir = v->lo.prefix;
	v->e.outer = &v->lo.rel;
	return 0;
}

/* "" → every configured arch; else exactly one valid name. */
int
glue_arch(const struct glue_env *v, char *s, unsigned *out)
{
	s = glue_trim(s);
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

