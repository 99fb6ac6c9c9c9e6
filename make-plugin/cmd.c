#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "dirs.h"
#include "quote.h"
#include "step.h"

static const char *const stages[] = {"base", "deps", "build", "runtime", "package"};

int
cmd_stage_ok(const char *stage)
{
	size_t i;

	for (i = 0; i < countof(stages); i++)
		if (!strcmp(stage, stages[i]))
			return 1;
	return 0;
}

int
cmd_project(const char *dir, char *out, size_t n)
{
	const char *base, *end = dir + strlen(dir);
	size_t k = 0;

	while (end > dir && end[-1] == '/')
		end--;
	for (base = end; base > dir && base[-1] != '/'; base--)
		;
	/* docker repository names: lowercase alphanumerics and single separators */
	for (; base < end && k + 1 < n; base++) {
		char c = *base;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && (k == 0 || out[k - 1] == '-'))
			continue;
		out[k++] = c;
	}
	while (k && out[k - 1] == '-')
		k--;
	out[k] = '\0';
	if (!k) {
		err_set("%s: cannot derive an image name from this directory; set LAMBDA_PROJECT",
			dir);
		return -1;
	}
	return 0;
}

/* An argv under construction: strings live in a buf arena as offsets, because
 * the arena moves as it grows. */
struct av {
	struct buf arena;
	size_t off[64];
	size_t n;
};

static int
av_add(struct av *a, const char *fmt, const char *s1, const char *s2)
{
	if (a->n == countof(a->off)) {
		err_set("command too long");
		return -1;
	}
	a->off[a->n++] = a->arena.len;
	if (buf_fmt(&a->arena, fmt, s1, s2) < 0 || buf_addc(&a->arena, '\0') < 0)
		return -1;
	return 0;
}

/* Quote the argv onto out, after " && " if out already holds a command. */
static int
av_emit(struct av *a, struct buf *out)
{
	const char *argv[64];
	size_t i;
	int rc;

	for (i = 0; i < a->n; i++)
		argv[i] = a->arena.s + a->off[i];
	if (out->len && buf_adds(out, " && ") < 0)
		rc = -1;
	else
		rc = quote_argv(out, argv, a->n);
	buf_free(&a->arena);
	a->n = 0;
	return rc;
}

/* LAMBDA_CACHE_REGISTRY: --cache-image=REG:STAGE-ARCH-KEY for the stage a build tags
 * (base, deps: pulled when the engine lacks it, pushed when this build made it),
 * --cache-from= the same name of each earlier stage, and --prefetch= that of each
 * later one (the base stage starts the deps image's pull, which the deps stage
 * then waits for). The content key is the one the stamps use, so identical
 * inputs on any machine name the same image. */
static int
registry_args(const struct cmd_env *e, unsigned arch, const char *stage, struct av *a)
{
	static const char *const cached[] = {"base", "deps"};
	char key[HASH_HEX + 1], ref[512];
	const char *opt = "--cache-from=%s";
	size_t i;

	if (!e->cfg.registry[0])
		return 0;
	for (i = 0; i < countof(cached); i++) {
		int own = !strcmp(stage, cached[i]);

		if (step_key(e, cached[i], arch, key) < 0)
			return -1;
		snprintf(ref, sizeof(ref), "%s:%s-%s-%s", e->cfg.registry, cached[i],
			 cfg_arch_name(arch), key);
		if (av_add(a, own ? "--cache-image=%s" : opt, ref, NULL) < 0)
			return -1;
		if (own)
			opt = "--prefetch=%s";
	}
	return 0;
}

/* docker/lambda-stage.sh: one docker build of one stage. */
static int
stage_cmd(const struct cmd_env *e, unsigned arch, const char *stage, int nocache,
	  struct buf *out)
{
	struct av a = {0};
	struct buf bins = {0}, flags = {0}, own = {0};
	const char *an = cfg_arch_name(arch);
	int rc = -1;

	/* the extensions are built with the functions, in the same cargo run */
	if (strv_join(&e->profile_own, &own) < 0 || strv_join(&e->bins, &bins) < 0 ||
	    (e->exts.n && bins.len && buf_addc(&bins, ' ') < 0) || strv_join(&e->exts, &bins) < 0 ||
	    cfg_field(&e->cfg, "cargo_flags", &flags) < 0)
		goto out;
	if (av_add(&a, "%s/docker/lambda-stage.sh", e->home, NULL) < 0 ||
	    av_add(&a, "--docker=%s", e->docker, NULL) < 0 ||
	    av_add(&a, "--stage=%s", stage, NULL) < 0 ||
	    av_add(&a, "--dockerfile=%s/docker/Dockerfile", e->home, NULL) < 0 ||
	    av_add(&a, "--context=%s/" DIRS_CTX, e->dir, NULL) < 0)
		goto out;
	if (nocache && av_add(&a, "--no-cache", NULL, NULL) < 0)
		goto out;
	/* LAMBDA_VERBOSE: Docker's whole output, not one line per stage */
	if (e->cfg.verbose && av_add(&a, "--verbose", NULL, NULL) < 0)
		goto out;
	if (!strcmp(stage, "runtime")) {
		if (av_add(&a, "--output=%s/" DIRS_OUT "/%s", e->dir, an) < 0)
			goto out;
	} else {
		char tag[32];

		snprintf(tag, sizeof(tag), "%s-%s", stage, an);
		if (av_add(&a, "--tag=lambda-make/%s:%s", e->project, tag) < 0)
			goto out;
	}
	if (!nocache && registry_args(e, arch, stage, &a) < 0)
		goto out;
	if (*e->base_image &&
	    av_add(&a, "--build-arg=LAMBDA_BASE_IMAGE=%s", e->base_image, NULL) < 0)
		goto out;
	if (av_add(&a, "--build-arg=LAMBDA_TARGET=%s", cfg_triple(arch), NULL) < 0 ||
	    av_add(&a, "--build-arg=LAMBDA_RUNTIME=%s", cfg_runtime_name(e->cfg.runtime),
		   NULL) < 0 ||
	    av_add(&a, "--build-arg=LAMBDA_PROFILE=%s", "release", NULL) < 0 ||
	    av_add(&a, "--build-arg=LAMBDA_PROFILE_OWN=%s", own.s ? own.s : "", NULL) < 0 ||
	    av_add(&a, "--build-arg=LAMBDA_CARGO_FLAGS=%s", flags.s ? flags.s : "", NULL) < 0 ||
	    av_add(&a, "--build-arg=LAMBDA_BINS=%s", bins.s ? bins.s : "", NULL) < 0 ||
	    av_add(&a, "--build-arg=SOURCE_DATE_EPOCH=%s", e->epoch, NULL) < 0)
		goto out;
	/* a monorepo: the project's place below the context root (layout.h) */
	if (e->subdir && *e->subdir &&
	    av_add(&a, "--build-arg=LAMBDA_SUBDIR=/%s", e->subdir, NULL) < 0)
		goto out;
	rc = av_emit(&a, out);
out:
	buf_free(&a.arena);
	buf_free(&bins);
	buf_free(&flags);
	buf_free(&own);
	return rc;
}

/* docker/lambda-package.sh: out/<arch>/<fn>/bootstrap → target/lambda/... + zip. */
static int
package_cmd(const struct cmd_env *e, unsigned arch, struct buf *out)
{
	struct av a = {0};
	const char *an = cfg_arch_name(arch);
	size_t i;

	if (av_add(&a, "%s/docker/lambda-package.sh", e->home, NULL) < 0 ||
	    av_add(&a, "--from=%s/" DIRS_OUT "/%s", e->dir, an) < 0 ||
	    av_add(&a, "--to=%s/" DIRS_PKG "/%s", e->dir, an) < 0 ||
	    av_add(&a, "--epoch=%s", e->epoch, NULL) < 0)
		goto fail;
	for (i = 0; i < e->exts.n; i++)
		if (av_add(&a, "--extension=%s", e->exts.v[i], NULL) < 0)
			goto fail;
	for (i = 0; i < e->bins.n; i++)
		if (av_add(&a, "%s", e->bins.v[i], NULL) < 0)
			goto fail;
	return av_emit(&a, out);
fail:
	buf_free(&a.arena);
	return -1;
}

/* docker/lambda-push.sh: after the package is written, push the stage images this
 * build made (queued by lambda-stage.sh --cache-image); never fails the build. */
static int
push_cmd(const struct cmd_env *e, struct buf *out)
{
	struct av a = {0};

	if (!e->cfg.registry[0])
		return 0;
	if (av_add(&a, "%s/docker/lambda-push.sh", e->home, NULL) < 0 ||
	    av_add(&a, "--docker=%s", e->docker, NULL) < 0 ||
	    av_add(&a, "--queue=%s/" DIRS_PUSH, e->dir, NULL) < 0 ||
	    (e->cfg.verbose && av_add(&a, "--verbose", NULL, NULL) < 0)) {
		buf_free(&a.arena);
		return -1;
	}
	return av_emit(&a, out);
}

/* The options that make the dev container's configuration, beside --dir, --arch and
 * --container: the image, the cargo home and, in a monorepo, the project's place
 * and the outside path dependencies it mounts. lambda-invoke and lambda-watch pass
 * the same ones as lambda-dev, so they reuse its container. */
static int
container_args(const struct cmd_env *e, struct av *a)
{
	size_t i;

	if (*e->base_image && av_add(a, "--image=%s", e->base_image, NULL) < 0)
		return -1;
	if (e->cargo_home && *e->cargo_home && av_add(a, "--cargo-home=%s", e->cargo_home, NULL) < 0)
		return -1;
	if (e->subdir && *e->subdir && av_add(a, "--subdir=%s", e->subdir, NULL) < 0)
		return -1;
	for (i = 0; e->outer && i < e->outer->n; i++)
		if (av_add(a, "--path-dep=%s", e->outer->v[i], NULL) < 0)
			return -1;
	return 0;
}

/* docker/dev-container.sh build: the persistent container does the work. */
static int
dev_cmd(const struct cmd_env *e, unsigned arch, const char *sub, struct buf *out)
{
	struct av a = {0};
	size_t i;

	if (av_add(&a, "%s/docker/dev-container.sh", e->home, NULL) < 0 ||
	    av_add(&a, "%s", sub, NULL) < 0 ||
	    av_add(&a, "--docker=%s", e->docker, NULL) < 0 ||
	    av_add(&a, "--dir=%s", e->dir, NULL) < 0 ||
	    av_add(&a, "--arch=%s", arch == (CFG_X86_64 | CFG_ARM64) ? "x86_64,arm64" :
				    cfg_arch_name(arch), NULL) < 0 ||
	    av_add(&a, "--container=%s", e->cfg.container, NULL) < 0)
		goto fail;
	if (container_args(e, &a) < 0)
		goto fail;
	for (i = 0; i < e->bins.n; i++)
		if (av_add(&a, "--function=%s", e->bins.v[i], NULL) < 0)
			goto fail;
	for (i = 0; e->masked && i < e->masked->n; i++)
		if (av_add(&a, "--mask=%s", e->masked->v[i], NULL) < 0)
			goto fail;
	if (e->cfg.cargo_flags.n && av_add(&a, "--", NULL, NULL) < 0)
		goto fail;
	for (i = 0; i < e->cfg.cargo_flags.n; i++)
		if (av_add(&a, "%s", e->cfg.cargo_flags.v[i], NULL) < 0)
			goto fail;
	return av_emit(&a, out);
fail:
	buf_free(&a.arena);
	return -1;
}

int
cmd_local(const struct cmd_env *e, const char *what, unsigned arch, const struct strv *extra,
	  struct buf *out)
{
	struct av a = {0};
	char t[16];
	int invoke = !strcmp(what, "invoke");
	size_t i;

	if (!invoke && strcmp(what, "watch")) {
		err_set("unknown local command '%.40s' (valid: invoke, watch)", what);
		return -1;
	}
	if (arch != CFG_X86_64 && arch != CFG_ARM64) {
		err_set("lambda-%s runs one architecture: set LAMBDA_ARCH to x86_64 or arm64", what);
		return -1;
	}
	snprintf(t, sizeof(t), "%u", e->cfg.timeout);
	if ((invoke ? av_add(&a, "%s/docker/lambda-invoke.sh", e->home, NULL) < 0 ||
			      av_add(&a, "--dev", NULL, NULL) < 0
		    : av_add(&a, "%s/docker/lambda-watch.py", e->home, NULL) < 0 ||
			      av_add(&a, "--addr=%s", e->cfg.watch_addr, NULL) < 0) ||
	    av_add(&a, "--docker=%s", e->docker, NULL) < 0 ||
	    av_add(&a, "--dir=%s", e->dir, NULL) < 0 ||
	    av_add(&a, "--container=%s", e->cfg.container, NULL) < 0 ||
	    av_add(&a, "--arch=%s", cfg_arch_name(arch), NULL) < 0 ||
	    av_add(&a, "--timeout=%s", t, NULL) < 0 ||
	    av_add(&a, "--dev-dir=" DIRS_DEV, NULL, NULL) < 0 ||
	    av_add(&a, "--bin-dir=" DIRS_BIN, NULL, NULL) < 0)
		goto fail;
	if (container_args(e, &a) < 0)
		goto fail;
	if (invoke) {
		if (av_add(&a, "--", NULL, NULL) < 0 || av_add(&a, "%s", e->cfg.function, NULL) < 0 ||
		    av_add(&a, "%s", e->cfg.event, NULL) < 0)
			goto fail;
		return av_emit(&a, out);
	}
	for (i = 0; i < e->bins.n; i++)
		if (av_add(&a, "--function=%s", e->bins.v[i], NULL) < 0)
			goto fail;
	for (i = 0; extra && i < extra->n; i++)
		if (av_add(&a, "--make=%s", extra->v[i], NULL) < 0)
			goto fail;
	return av_emit(&a, out);
fail:
	buf_free(&a.arena);
	return -1;
}

int
cmd_prune(const struct cmd_env *e, struct buf *out)
{
	struct av a = {0};

	if (av_add(&a, "%s/docker/lambda-prune.sh", e->home, NULL) < 0 ||
	    av_add(&a, "--docker=%s", e->docker, NULL) < 0 ||
	    av_add(&a, "--dir=%s", e->dir, NULL) < 0 ||
	    av_add(&a, "--project=%s", e->project, NULL) < 0 ||
	    av_add(&a, "--container=%s", e->cfg.container, NULL) < 0) {
		buf_free(&a.arena);
		return -1;
	}
	return av_emit(&a, out);
}

int
cmd_build(const struct cmd_env *e, enum cfg_mode mode, unsigned arch, const char *stage,
	  struct buf *out)
{
	if (mode == CFG_DEV) {
		static const char *const subs[] = {"build", "start", "stop", "status", "shell"};
		size_t i;

		for (i = 0; stage && i < 5 && strcmp(stage, subs[i]); i++)
			;
		if (i == 5) {
			err_set("unknown dev command '%.40s' (valid: build, start, stop, status, "
				"shell)", stage);
			return -1;
		}
		return dev_cmd(e, arch, stage ? stage : "build", out);
	}
	if (arch != CFG_X86_64 && arch != CFG_ARM64) {
		err_set("one architecture per command (x86_64 or arm64)");
		return -1;
	}
	if (stage && !cmd_stage_ok(stage)) {
		err_set("unknown stage '%.40s' (valid: base, deps, build, runtime, package)", stage);
		return -1;
	}
	if (stage && !strcmp(stage, "package"))
		return package_cmd(e, arch, out) < 0 ? -1 : push_cmd(e, out);
	if (stage && strcmp(stage, "runtime"))
		return stage_cmd(e, arch, stage, mode == CFG_DOCKER, out);
	/* the whole build: the runtime stage pulls base, deps and build through docker */
	if (stage_cmd(e, arch, "runtime", mode == CFG_DOCKER, out) < 0)
		return -1;
	if (stage)
		return 0;
	return package_cmd(e, arch, out) < 0 ? -1 : push_cmd(e, out);
}
