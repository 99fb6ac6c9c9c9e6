/* layout.h: where the project and the path dependencies outside it (a monorepo's
 * shared crates, ../../libs/common) sit in the build context. The context root is
 * their nearest common ancestor; only the project and those directories are
 * synced, each at its path below that root, so cargo finds every relative path
 * where the host has it. Without such a dependency the root is the project. */
#ifndef LAMBDA_LAYOUT_H
#define LAMBDA_LAYOUT_H

#include "buf.h"
#include "cargo.h"
#include "walk.h"

/* The project's place and the outside directories below the context root. */
struct layout {
	char *prefix;        /* the project below the root ("services/app"); "" if none */
	struct strv rel;     /* the outside dirs below the root ("libs/common"), sorted,
	                      * none inside another */
	struct strv outer;   /* the same dirs relative to the project, in the same order
	                      * ("../../libs/common": the project's dir joined to it is
	                      * where the host has the dir) */
};

/* Compute the layout of the workspace ws (from cargo_load). -1 with a message when
 * an outside crate contains the project (the context would hold the project twice)
 * or lies above the file system root. */
int layout_make(const struct cargo_ws *ws, struct layout *lo);
/* layout_make of the workspace at dir. */
int layout_load(const char *dir, struct layout *lo);
/* Free what layout_make allocated (a zeroed layout is fine). */
void layout_free(struct layout *lo);
/* out = rel (a path relative to the project, may start with "../") as a path below
 * the context root; -1 if it leaves the root. */
int layout_map(const struct layout *lo, const char *rel, struct buf *out);

#endif
