/* cfg.h: the BuildConfig: LAMBDA_* settings validated and normalized. */
#ifndef LAMBDA_CFG_H
#define LAMBDA_CFG_H

#include "buf.h"
#include "walk.h"

enum cfg_mode { CFG_DEV, CFG_PROD, CFG_DOCKER };
enum cfg_runtime { CFG_AL2023, CFG_AL2 };
/* Architecture bits; a config may hold both. */
enum { CFG_X86_64 = 1, CFG_ARM64 = 2 };

/* The raw settings as the user wrote them; NULL or blank means the default. */
struct cfg_in {
	const char *arch, *runtime, *container, *cargo_flags;
	const char *functions, *verbose, *cache_registry;
	/* lambda-invoke / lambda-watch */
	const char *function, *event, *timeout, *watch_addr;
	const char *exclude; /* LAMBDA_EXCLUDE */
	const char *sam_functions, *extensions;
	const char *epoch; /* SOURCE_DATE_EPOCH */
};

struct cfg {
	unsigned arch;
	enum cfg_runtime runtime;
	int verbose; /* LAMBDA_VERBOSE: say why each stage runs */
	char container[129];
	char registry[256]; /* LAMBDA_CACHE_REGISTRY, normalised; "" = none */
	struct strv cargo_flags, functions;
	char function[65];    /* LAMBDA_FUNCTION: the bin lambda-invoke runs; "" = unset */
	char event[1024];     /* LAMBDA_EVENT: a file, or "-" (stdin); "" = unset */
	unsigned timeout;     /* LAMBDA_TIMEOUT: seconds, 1..900 like Lambda (default 3) */
	char watch_addr[64];  /* LAMBDA_WATCH_ADDR: IPv4:PORT (default 127.0.0.1:9000) */
	struct strv exclude; /* .dockerignore patterns, after the file's (proj.h) */
	/* LAMBDA_SAM_FUNCTIONS: pairs, sam_ids.v[i] is built from sam_bins.v[i] */
	struct strv sam_ids, sam_bins;
	struct strv extensions; /* LAMBDA_EXTENSIONS: bins packaged as a layer */
	char epoch[21]; /* SOURCE_DATE_EPOCH: seconds, at least the zip format's epoch */
};

/* Validate and normalize; -1 with a message naming the setting and its valid values. */
int cfg_parse(const struct cfg_in *in, struct cfg *out);
/* Release the vectors of a parsed config. */
void cfg_free(struct cfg *c);
/* The whole record as "key=value" words, cargo_flags last (it may hold spaces). */
int cfg_format(const struct cfg *c, struct buf *out);
/* One field's value (target_arch, runtime, container_name,
 * cargo_flags, functions, targets, verbose, cache_registry, function, event,
 * timeout, watch_addr, exclude, sam_functions "Id=bin ...", sam_ids, extensions,
 * epoch, or a cfg_dir field); -1 for an unknown field. */
int cfg_field(const struct cfg *c, const char *field, struct buf *out);
/* The project-relative directory a layout field names (own_dir, bin_dir, pkg_dir,
 * dev_dir: dirs.h), for the scripts and lambda.mk; NULL for another field. It
 * needs no settings, so lambda.mk may ask it while it is read. */
const char *cfg_dir(const char *field);
/* Parse one architecture name (x86_64, arm64); 0 if unknown. */
unsigned cfg_arch(const char *name);
/* The architecture bits a LAMBDA_ARCH value names (all, both: the two; blank:
 * the default, x86_64); 0 when it has a word that is no architecture. */
unsigned cfg_arch_set(const char *s);
/* Append the names of the architecture bits in set to out, space-separated. */
int cfg_arch_names(unsigned set, struct buf *out);
/* Name of one architecture bit. */
const char *cfg_arch_name(unsigned bit);
/* Rust target triple of one architecture bit. */
const char *cfg_triple(unsigned bit);
/* Parse a build mode (dev, prod, docker) into out; -1 if unknown. */
int cfg_mode(const char *name, enum cfg_mode *out);
/* Name of a runtime. */
const char *cfg_runtime_name(enum cfg_runtime r);
/* True if s is a valid container name ([A-Za-z0-9][A-Za-z0-9_.-]*, at most 128). */
int cfg_name_ok(const char *s);
/* Validate LAMBDA_CACHE_REGISTRY (HOST[:PORT]/REPO) into out, normalised (host
 * lowercased, no trailing '/'); -1 with the reason and the expected form. */
int cfg_registry(const char *s, char *out, size_t n);
/* 0 if the setting NAME's value has no control character (a newline would split
 * the recipe line that carries it into two shell commands); else -1, with the
 * reason. */
int cfg_text_ok(const char *name, const char *value);
/* SOURCE_DATE_EPOCH (already trimmed): s, or the zip format's epoch (315532800,
 * 1980-01-01) for "" and for any earlier time, which zip cannot store; NULL
 * unless whole seconds (digits only, at most 20). */
const char *cfg_epoch(const char *s);
/* Split on blanks into sv; -1 if a word has a character outside the safe set. */
int cfg_words(const char *s, struct strv *sv);

#endif
