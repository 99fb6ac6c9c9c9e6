/* ctx.h: the docker build context under <project>/.lambda/ctx. */
#ifndef LAMBDA_CTX_H
#define LAMBDA_CTX_H

#include "walk.h"

/* Bring dir/.lambda/ctx up to date: skel/ (the deps skeleton), src/ (a mirror of the
 * project's files, compared by content, without its vendored directories), vendor/
 * (those directories, see vendor.h), cargo-home/ (a mirror of cargo_home, or
 * empty when cargo_home is NULL or ""), and .lambda/.gitignore ("*"). Returns the
 * number of files written or removed, -1 on error. The project's symlinks that
 * point outside it, left out of the context, are appended to outside (unless NULL). */
int ctx_sync(const char *dir, const char *cargo_home, struct strv *outside);
/* Make dst hold exactly the regular files of src (skipping the top-level
 * target/ and .lambda/, and .git),
 * writing only files whose content or exec bit differ; byname: trust equal size
 * and mtime instead of reading (for immutable trees such as vendored crates). */
int ctx_mirror(const char *src, const char *dst, int byname);
/* ctx_mirror that also leaves out the directories skip names and lists in outside
 * the symlinks leading out of src (walk_files_links). */
int ctx_mirror_skip(const char *src, const char *dst, const struct strv *skip,
		    struct strv *outside, int byname);

#endif
