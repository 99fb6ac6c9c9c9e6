/* glue.h: the make side of the module: make's variables read into the core's
 * structures, results and errors handed back; with lambda.c, the only code that
 * knows about gnumake.h. */
#ifndef LAMBDA_GLUE_H
#define LAMBDA_GLUE_H

#include "buf.h"
#include "cfg.h"
#include "cmd.h"
#include "layout.h"

/* The variables a build command reads: the indexes of glue_env.vars. */
enum glue_var {
	GLUE_DIR, GLUE_HOME, GLUE_DOCKER, GLUE_BASE, GLUE_PROJECT,
	GLUE_CARGO_HOME, GLUE_NVARS
};

/* Everything a build command needs, read from the LAMBDA_* variables. */
struct glue_env {
	struct cmd_env e;
	char *vars[GLUE_NVARS];
	char project[128];
	struct layout lo; /* where the project sits in the context (e.subdir) */
};

/* Evaluate $(FUNC PREFIX: MSG) through make (FUNC: error, info, warning). */
void glue_say(const char *func, const char *prefix, const char *msg);
/* Make an error through make's own path: exit 2 with make's cleanup. */
char *glue_fail(const char *fn, const char *msg);
/* Hand a core string to make: results must live in gmk_alloc'd memory. */
char *glue_give(struct buf *b);
/* One argument with surrounding blanks removed: a path may contain inner spaces. */
char *glue_trim(char *s);
/* A make variable's current value (caller frees with gmk_free). */
char *glue_var(const char *name);
/* True under make -n: lambda.mk's LAMBDA__DRYRUN says so; nothing may be written. */
int glue_dry_run(void);
/* Hold DIR/.lambda/lock for the rest of this make: one build of a project at a time. */
int glue_lock(const char *dir);
/* Read the LAMBDA_* settings into a validated config. */
int glue_config(struct cfg *c);
/* Read and check everything a build command needs; -1 with the reason. */
int glue_env_load(struct glue_env *v);
/* Release what glue_env_load read. */
void glue_env_free(struct glue_env *v);
/* The end of a function that loaded v: free v, then hand out to make (ok), or free
 * out and make the last error fn's make error. */
char *glue_done(const char *fn, struct glue_env *v, struct buf *out, int ok);
/* The architecture argument: "" is every configured arch, else exactly one name. */
int glue_arch(const struct glue_env *v, char *s, unsigned *out);

#endif
