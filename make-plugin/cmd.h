/* cmd.h: the exact, shell-quoted command lines of a build, built as argv arrays. */
#ifndef LAMBDA_CMD_H
#define LAMBDA_CMD_H

#include "buf.h"
#include "cfg.h"

/* Everything a command line depends on besides the BuildConfig. */
struct cmd_env {
	const char *dir;        /* project dir (absolute; may contain spaces) */
	const char *home;       /* LAMBDA_HOME: holds docker/ */
	const char *docker;     /* client binary */
	const char *base_image; /* LAMBDA_BASE_IMAGE; "" = the Dockerfile's default */
	const char *project;    /* image name component, see cmd_project */
	const char *epoch;      /* SOURCE_DATE_EPOCH */
	const char *cargo_home; /* LAMBDA_CARGO_HOME; "" = none */
	const char *subdir;     /* the project below the context root (layout.h): a
	                         * monorepo's "services/app"; NULL or "" = the root */
	const struct strv *outer; /* the outside path dependencies' dirs below that root
	                           * (layout.h: "libs/common"); NULL = none */
	struct cfg cfg;
	struct strv bins;       /* functions to build */
	const struct strv *masked; /* dev: paths excluded by a pattern, hidden from the
	                            * container (proj.h); NULL for none */
	struct strv exts;       /* LAMBDA_EXTENSIONS: built too, packaged as one layer */
	struct strv profile_own; /* the keys the project's [profile.release] sets: they
	                          * win over the Dockerfile's defaults */
};

/* Append the command lines for one build. prod/docker: one arch bit; stage one of
 * base, deps, build, runtime, package, or NULL for the whole build (runtime, then
 * package). dev: arch may hold both bits; stage is the dev-container.sh command
 * (build, start, stop, status, shell; NULL = build). Commands are joined with
 * " && " so that a failure stops the rest. */
int cmd_build(const struct cmd_env *e, enum cfg_mode mode, unsigned arch,
	      const char *stage, struct buf *out);
/* Append the command of lambda-invoke ("invoke": lambda-invoke.sh --dev, running
 * cfg.function once for cfg.event) or lambda-watch ("watch": lambda-watch.py
 * serving e->bins on cfg.watch_addr; each word of extra is one more argument, the
 * make command line it polls and rebuilds with). One arch bit. */
int cmd_local(const struct cmd_env *e, const char *what, unsigned arch,
	      const struct strv *extra, struct buf *out);
/* docker/lambda-prune.sh for the project: its images, tags and dev container. */
int cmd_prune(const struct cmd_env *e, struct buf *out);
/* A docker-safe image name component from a directory's basename; -1 if none. */
int cmd_project(const char *dir, char *out, size_t n);
/* True if stage names a prod stage (base, deps, build, runtime, package). */
int cmd_stage_ok(const char *stage);

#endif
