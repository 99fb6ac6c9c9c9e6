/* ctx.h: the docker build context under <project>/.lambda/ctx. */
#ifndef LAMBDA_CTX_H
#define LAMBDA_CTX_H

#include "proj.h"
#include "walk.h"

/* The image's helper scripts (tools/ of the context), relative to LAMBDA_HOME. */
#define CTX_TOOLS "docker/image"

/* Bring dir/.lambda/ctx up to date: skel/ (the deps skeleton), src/ (a mirror of the
 * project's files as proj_walk lists them, compared by content), vendor/ (the
 * vendored directories, see vendor.h), tools/ (a mirror of tools, the image's
 * helper scripts, or empty when tools is NULL or ""), cargo-home/ (a mirror of
 * cargo_home, or empty when cargo_home is NULL or ""), and .lambda/.gitignore ("*"). exclude:
 * LAMBDA_EXCLUDE's patterns (after .dockerignore's). Returns the number of files
 * written or removed, -1 on error. pj is opened here; on success the caller reads
 * what it left out (outside, kept, masked) and closes it. */
int ctx_sync(const char *dir, const char *tools, const char *cargo_home, const struct strv *exclude,
	     struct proj *pj);
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
