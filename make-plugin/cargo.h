/* cargo.h: the Cargo workspace model read from manifests alone (no cargo on the host):
 * packages, their targets, and the version masking that keeps the dependency layer's
 * key stable when only the workspace's own versions change. */
#ifndef LAMBDA_CARGO_H
#define LAMBDA_CARGO_H

#include <stddef.h>

#include "buf.h"
#include "walk.h"

/* The version every own crate gets in the skeleton and in the cache key. */
#define CARGO_MASK "0.0.0"

enum cargo_kind {
	CARGO_LIB,
	CARGO_BIN,
	CARGO_BUILD,   /* build script */
	CARGO_EXAMPLE,
	CARGO_TEST,
	CARGO_BENCH
};

/* A target whose source file cargo must find. */
struct cargo_target {
	enum cargo_kind kind;
	char *name;   /* bin/example/test/bench name; NULL for lib and build script */
	char *path;   /* source file relative to the workspace root, normalized */
	int off;      /* a bin behind required-features that the default features do
	               * not enable: cargo skips it, so it is no function */
};

/* A package of the workspace, or a local path crate it depends on. */
struct cargo_pkg {
	char *name;
	char *version;      /* as written or inherited from [workspace.package]; NULL if none */
	char *dir;          /* manifest dir relative to the root: "" for the root itself;
	                     * "../x" when outside (layout.h places it) */
	int member;         /* a workspace member (or the lone package): its bins count */
	int outside;        /* lies outside the root directory (a monorepo's shared
	                     * crate): loaded, never a member, its version kept */
	int keep_version;   /* target of [patch]/[replace]: its version must stay as is */
	int nested_ws;      /* has its own [workspace]: a root of its own, never a member */
	struct cargo_target *tgt;
	size_t ntgt, tcap;
	size_t *dep;        /* indices in cargo_ws.pkg of its path dependencies */
	size_t ndep, dcap;
};

/* A workspace (or a single package) loaded from a directory. */
struct cargo_ws {
	char *root;           /* the directory given to cargo_load */
	int virt;             /* the root manifest has no [package] */
	struct cargo_pkg *pkg;   /* root package first, then listed members, then the
	                          * crates found through path dependencies */
	size_t npkg, cap;
};

/* Load the workspace whose root manifest is dir/Cargo.toml: members (explicit and
 * globbed, minus exclude), path dependencies (followed transitively) and targets. */
int cargo_load(const char *dir, struct cargo_ws **out);
/* Free a workspace from cargo_load (NULL is fine). */
void cargo_free(struct cargo_ws *ws);
/* Append to out the sorted, de-duplicated names of the members' binary targets
 * (those cargo builds with default features: see cargo_target.off). */
int cargo_bins(const char *dir, struct strv *out);
/* Append to out the keys dir/Cargo.toml sets in its [profile.PROFILE] table, in
 * any TOML form (header, dotted keys, inline table); none if it has no such table. */
int cargo_profile_keys(const char *dir, const char *profile, struct strv *out);

/* True when a path relative to the root (as walk_files gives it) belongs to the
 * manifest layer: Cargo.toml, Cargo.lock, rust-toolchain(.toml), .cargo/config(.toml). */
int cargo_layer_file(const char *rel);
/* Append to out the content of the layer file root/rel as the dependency layer sees
 * it: own manifests and the root Cargo.lock with own versions set to CARGO_MASK,
 * every other file as is. */
int cargo_layer_read(const struct cargo_ws *ws, const char *rel, struct buf *out);

#endif
