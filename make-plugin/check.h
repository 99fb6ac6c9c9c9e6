/* check.h: will this bootstrap start on AWS Lambda? Checks of a built artifact. */
#ifndef LAMBDA_CHECK_H
#define LAMBDA_CHECK_H

#include <stddef.h>

#include "buf.h"

/* Lambda's limits: a zip for direct upload, and the unzipped function code. */
#define CHECK_ZIP_MAX 52428800ULL
#define CHECK_UNZIPPED_MAX 262144000ULL

/* Check bootstrap (and zip, unless NULL or "") for a function of arch (x86_64, arm64)
 * on runtime (al2023, al2): executable bit, ELF machine, startable executable, loader
 * present on Lambda, glibc requirement, size limits. -1 with one line naming the file,
 * what is wrong and how to fix it. */
int check_artifact(const char *bootstrap, const char *zip, const char *arch,
                   const char *runtime);
/* The highest glibc version file requires ("GLIBC_2.34"; "" if none, e.g. static) into
 * buf of n bytes; -1 if the file is unreadable or not a valid ELF file. */
int check_glibc_needed(const char *file, char *buf, size_t n);
/* Check path: a bootstrap, a function dir holding one (and its zip), or a package
 * dir such as target/lambda/<arch> (every <fn>/bootstrap below it and the
 * extensions layer); one "lambda-check: FILE: ok (...)" line per artifact appended
 * to out. -1 with check_artifact's line, or when a package dir holds nothing. */
int check_path(const char *path, const char *arch, const char *runtime, struct buf *out);
/* glibc version of a runtime (al2023: 2.34, al2: 2.26) into v; -1 if unknown. */
int check_runtime_glibc(const char *runtime, unsigned v[3]);

#endif
