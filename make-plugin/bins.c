/* bins.c: which binaries a build makes, and in which role (bins.h). */
#include <string.h>

#include "bins.h"
#include "cargo.h"
#include "dirs.h"
#include "err.h"
#include "walk.h"

/* The extensions, the SAM entries and the functions, checked against each other:
 * an extension is no function; a SAM entry names a function lambda-prod builds. */
static int
roles(struct cmd_env *e, const struct strv *all, const char *list)
{
	struct cfg *c = &e->cfg;
	struct buf fl = {0};
	size_t i;
	int rc = -1;

	for (i = 0; i < c->extensions.n; i++) {
		if (!strv_has(all, c->extensions.v[i])) {
			err_set("LAMBDA_EXTENSIONS: '%s' is not a binary of %s (binaries: %s)",
				c->extensions.v[i], e->dir, list);
			goto out;
		}
		if (strv_has(&c->functions, c->extensions.v[i])) {
			err_set("'%s' is in both LAMBDA_FUNCTIONS and LAMBDA_EXTENSIONS: an extension "
				"is packaged in the layer, not as a function; name it in one of them",
				c->extensions.v[i]);
			goto out;
		}
		if (strv_add(&e->exts, c->extensions.v[i]) < 0)
			goto out;
	}
	if (e->exts.n && strv_has(&e->bins, "extensions")) {
		err_set("a function named 'extensions' would share " DIRS_PKG "/<arch>/extensions/ "
			"with the LAMBDA_EXTENSIONS layer: rename the binary or leave it out of "
			"LAMBDA_FUNCTIONS");
		goto out;
	}
	for (i = 0; i < e->bins.n; i++)
		if (buf_fmt(&fl, "%s%s", i ? ", " : "", e->bins.v[i]) < 0)
			goto out;
	/* a binary that is no extension; whether this build makes it (LAMBDA_FUNCTIONS)
	 * is build-*'s to check (sam_entry): lambda-invoke builds one function alone */
	for (i = 0; i < c->sam_ids.n; i++)
		if (!strv_has(all, c->sam_bins.v[i]) || strv_has(&c->extensions, c->sam_bins.v[i])) {
			err_set("LAMBDA_SAM_FUNCTIONS: %s=%s: '%s' is not a function lambda-prod "
				"builds (functions: %s; set by LAMBDA_FUNCTIONS, default every binary "
				"but the LAMBDA_EXTENSIONS)", c->sam_ids.v[i], c->sam_bins.v[i],
				c->sam_bins.v[i], fl.s ? fl.s : "none");
			goto out;
		}
	rc = 0;
out:
	buf_free(&fl);
	return rc;
}

int
bins_pick(struct cmd_env *e)
{
	struct strv all = {0};
	struct buf list = {0};
	size_t i, j;
	int rc = -1;

	if (cargo_bins(e->dir, &all) < 0)
		return -1;
	if (all.n == 0) {
		err_set("%s: the project has no binary target (a Lambda function is a bin)",
			e->dir);
		goto out;
	}
	for (j = 0; j < all.n; j++)
		if (buf_fmt(&list, "%s%s", j ? ", " : "", all.v[j]) < 0)
			goto out;
	if (e->cfg.functions.n == 0) {
		for (i = 0; i < all.n; i++)
			if (!strv_has(&e->cfg.extensions, all.v[i]) && strv_add(&e->bins, all.v[i]) < 0)
				goto out;
		rc = roles(e, &all, list.s);
		goto out;
	}
	for (i = 0; i < e->cfg.functions.n; i++) {
		if (!strv_has(&all, e->cfg.functions.v[i])) {
			/* lambda-invoke builds LAMBDA_FUNCTION alone (lambda.mk) */
			err_set("%s: '%s' is not a binary of %s (binaries: %s)",
				strcmp(e->cfg.function, e->cfg.functions.v[i]) ?
					"LAMBDA_FUNCTIONS" : "LAMBDA_FUNCTION",
				e->cfg.functions.v[i], e->dir, list.s);
			goto out;
		}
		if (strv_add(&e->bins, e->cfg.functions.v[i]) < 0)
			goto out;
	}
	rc = roles(e, &all, list.s);
out:
	strv_free(&all);
	buf_free(&list);
	return rc;
}
