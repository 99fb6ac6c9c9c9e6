/* step.h: content keys of the build stages, whether a stage must run, and why. */
#ifndef LAMBDA_STEP_H
#define LAMBDA_STEP_H

#include "cmd.h"
#include "hash.h"

/* Append the inputs of one prod stage (base, deps, build; runtime = build) for one
 * arch as lines "KIND\tNAME\tVALUE": the key of the stage before it, the settings
 * and the digest of every file the stage reads (KIND stage, setting, file,
 * manifest). */
int step_inputs(const struct cmd_env *e, const char *stage, unsigned arch, struct strv *lines);
/* The content key of a stage: a digest of its name, its arch and step_inputs, so it
 * covers the key of the stage before it. */
int step_key(const struct cmd_env *e, const char *stage, unsigned arch, char *hex);
/* Path of a stage's stamp file: <dir>/.lambda/state/<stage>-<arch>. */
int step_stamp(const struct cmd_env *e, const char *stage, unsigned arch, struct buf *out);
/* 1 if the stage is up to date (stamp holds the key, and for runtime every package
 * is the file the stamp recorded), 0 if it must run, -1 on error. */
int step_fresh(const struct cmd_env *e, const char *stage, unsigned arch, const char *key);
/* Append " && lambda-stamp.sh STAMP KEY [PACKAGE...]": the command that records a
 * finished stage (runtime: with its package files, which step_fresh verifies), and
 * after it the removal of the recorded inputs (step_record) if the stage failed. */
int step_stamp_cmd(const struct cmd_env *e, const char *stage, unsigned arch, const char *key,
		   struct buf *out);
/* Write the stage's current inputs to <stamp>.inputs.next (atomically), which
 * lambda-stamp.sh renames to <stamp>.inputs when the stage succeeds. */
int step_record(const struct cmd_env *e, const char *stage, unsigned arch);
/* One line saying whether the stage is up to date and, if not, which inputs differ
 * from those of its last successful run ("<stage>-<arch>: ..."). */
int step_explain(const struct cmd_env *e, const char *stage, unsigned arch, struct buf *out);

#endif
