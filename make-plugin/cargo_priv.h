/* cargo_priv.h: the seams between the files of the workspace loader (cargo.c,
 * cargo_path.c, cargo_tgt.c, cargo_mask.c). Private to them; callers use cargo.h. */
#ifndef LAMBDA_CARGO_PRIV_H
#define LAMBDA_CARGO_PRIV_H

#include "cargo.h"
#include "toml.h"

/* Called for each path dependency: the entry, its path, whether the path is relative
 * to the workspace root (workspace.dependencies) rather than the package, and whether
 * it comes from [patch]/[replace]. */
typedef int (*cargo_dep_fn)(void *arg, const struct toml *entry, const char *path,
			    int from_root, int patch);

/* The package whose manifest dir (relative to the root) is dir, or NULL. */
struct cargo_pkg *cargo_find(const struct cargo_ws *ws, const char *dir);
/* Visit every path dependency of a manifest. wsdeps (the root's
 * [workspace.dependencies]) resolves "workspace = true" entries; NULL skips them. */
int cargo_deps_each(const struct toml *doc, const struct toml *wsdeps, cargo_dep_fn fn,
		    void *arg);

/* Is root/rel a regular file (following links)? */
int cargo_is_file(const char *root, const char *rel);
/* Is rel (relative to package p's dir) a regular file? */
int cargo_pkg_file(const struct cargo_ws *ws, const struct cargo_pkg *p, const char *rel);
/* Display name of the manifest in dir: "ROOT/dir/Cargo.toml". */
int cargo_mf_name(const struct cargo_ws *ws, const char *dir, struct buf *out);
/* Read and parse the manifest in dir; name gets its display name. */
struct toml *cargo_mf_parse(const struct cargo_ws *ws, const char *dir, struct buf *name);
/* Is dir (relative to the root) below one of workspace.exclude? */
int cargo_excluded(const struct toml *exclude, const char *dir);
/* Expand one member pattern (may hold *, ?, [..] per path component) below the root,
 * rel being the part expanded so far; appends the matching directories to out. */
int cargo_glob(const struct cargo_ws *ws, struct buf *rel, const char *pat,
	       struct strv *out);

/* Add a target to p; rel is relative to the package dir. */
int cargo_target_add(struct cargo_pkg *p, enum cargo_kind kind, const char *name,
		     const char *rel);
/* v absent or of the wanted type; anything else is an error naming the line. */
int cargo_want(const char *mf, const struct toml *v, enum toml_type type, const char *what);
/* Name, version and targets of package p from its parsed manifest (wsdoc: the root's,
 * for inherited fields; mf: its name, for messages). */
int cargo_pkg_read(struct cargo_ws *ws, struct cargo_pkg *p, const struct toml *doc,
		   const struct toml *wsdoc, const char *mf);

#endif
