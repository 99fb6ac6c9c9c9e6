/* vendor.h: the directory sources (`cargo vendor` output) that a project's own
 * .cargo/config(.toml) points at. They belong to the dependency layer: copied in
 * full into the deps stage, keyed by their crates' checksum files, and left out of
 * the build stage's context and key. */
#ifndef LAMBDA_VENDOR_H
#define LAMBDA_VENDOR_H

#include "hash.h"
#include "walk.h"

/* Append to out, sorted, the directory of every [source.*] `directory` entry of
 * dir/.cargo/config.toml and dir/.cargo/config, relative to dir and normalized. -1
 * with one message naming the file, the entry and the fix when a directory is
 * missing, lies outside dir, or is dir itself. */
int vendor_dirs(const char *dir, struct strv *out);
/* Feed h the names of the crates in path (one directory each) and each crate's
 * .cargo-checksum.json, which lists the sha256 of all its files: a signature that
 * reads no crate source. A missing path feeds nothing; a crate without the checksum
 * file is an error. */
int vendor_sig(const char *path, struct hash *h);
/* The signature of the vendored directories dirs (from vendor_dirs) read under root,
 * as hex, so that a copy under another root can be checked against the original. */
int vendor_tree_sig(const char *root, const struct strv *dirs, char *hex);

#endif
