/* proj.h: the files of a project that reach a build, decided in one place. Every walk
 * of the project (the context's src/, the deps skeleton, the manifest key, the build
 * stage's key, the dev container's view) lists its files through proj_walk, so they
 * all leave out the same ones: build state (walk_skipped), what the caller skips
 * (the vendored directories, walked apart, and a configured target dir), symlinks
 * leading out of the project, and what .dockerignore and LAMBDA_EXCLUDE exclude,
 * except the files Cargo needs. Outside path dependencies (layout.h) are walked
 * without the patterns: they are relative to the project's root. */
#ifndef LAMBDA_PROJ_H
#define LAMBDA_PROJ_H

#include "ignore.h"
#include "walk.h"

struct proj {
	const char *dir;
	struct ign ign;      /* .dockerignore's patterns, then LAMBDA_EXCLUDE's */
	struct strv pkgs;    /* "P\tDIR" packages, "T\tDIR" target sources: loaded when needed */
	int pkgs_loaded;
	struct strv outside; /* symlinks whose target lies outside the project */
	struct strv kept;    /* "FILE\tPATTERN": a file Cargo needs that a pattern names */
	struct strv masked;  /* what the last proj_walk left out by a pattern (a whole
	                      * directory or a file): what the dev container must not see */
};

/* Read dir's rules: dir/.dockerignore (if any), then
 * the patterns of exclude (LAMBDA_EXCLUDE, normalised by cfg; NULL for none). -1
 * names a malformed pattern and its line. */
int proj_open(struct proj *p, const char *dir, const struct strv *exclude);
/* Append to out, sorted, the files below root (p's dir) that reach a build: those of
 * walk_files_links (skip, outside) that the rules do not exclude. A file Cargo
 * needs (cargo_layer_file, build.rs, any *.rs source, a package dir, a target's
 * source dir and .cargo/ on the way to them) is kept even when a pattern excludes
 * it, and recorded in kept. */
int proj_walk(struct proj *p, const char *root, const struct strv *skip, struct strv *outside,
	      struct strv *out);
/* proj_open, proj_walk and proj_close in one: the files of the project at dir. */
int proj_list(const char *dir, const struct strv *exclude, const struct strv *skip,
	      struct strv *out);
/* True for a file a pattern can never exclude (see proj_walk). */
int proj_needed(const char *rel);
/* Release everything. */
void proj_close(struct proj *p);

#endif
