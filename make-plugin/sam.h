/* sam.h: AWS SAM's build-<LogicalId>: bootstraps into ARTIFACTS_DIR, and the store
 * that lets every function of one sam build after the first skip the build. */
#ifndef LAMBDA_SAM_H
#define LAMBDA_SAM_H

#include "buf.h"
#include "walk.h"

/* Path of a stored bootstrap: STORE/<arch>/<key>-<bin>. */
int sam_stored(const char *store, const char *arch, const char *key, const char *bin,
	       struct buf *out);
/* Store the bootstraps of bins (FROM/<bin>/bootstrap, FROM = target/lambda/<arch>)
 * under key, each by rename, and drop the entries of other keys for this arch;
 * STORE/.gitignore keeps it all out of git. */
int sam_store(const char *store, const char *arch, const char *key, const char *from,
	      const struct strv *bins);
/* Copy file to DIR/bootstrap, mode 0755, by rename; DIR is made if missing.
 * The number of bytes copied, -1 on error. */
long sam_place(const char *file, const char *dir);

#endif
