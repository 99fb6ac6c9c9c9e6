/* vlock.h: the lock file against the vendored directories that replace its
 * sources, so that a crate missing from vendor/ is named before any build. */
#ifndef LAMBDA_VLOCK_H
#define LAMBDA_VLOCK_H

/* Check that every package of dir/Cargo.lock whose source the project's own
 * .cargo/config(.toml) replaces by a directory source (crates-io, a registry or a
 * git repository, as `cargo vendor` prints them) has its directory there (NAME or
 * NAME-VERSION). 0 when all are there (or nothing is replaced, or there is no lock
 * file); -1 with one message naming the lock file, the package, the directory and
 * the fix. */
int vlock_check(const char *dir);

#endif
