/* loop: time check_artifact / check_glibc_needed in-process (bench/check/run builds it).
 * Usage: loop FILE ARCH RUNTIME N. Prints "artifact US ok|fail" and "glibc US NAME". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "err.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
	char glibc[64] = "";
	double t0, t1;
	long i, n;
	int ok = 0;

	if (argc != 5 || (n = atol(argv[4])) <= 0) {
		fprintf(stderr, "usage: loop FILE ARCH RUNTIME N\n");
		return 2;
	}
	t0 = now_us();
	for (i = 0; i < n; i++)
		ok = check_artifact(argv[1], NULL, argv[2], argv[3]) == 0;
	t1 = now_us();
	printf("artifact %.2f %s\n", (t1 - t0) / (double)n, ok ? "ok" : "fail");
	if (!ok)
		fprintf(stderr, "loop: %s\n", err_get());
	t0 = now_us();
	for (i = 0; i < n; i++)
		if (check_glibc_needed(argv[1], glibc, sizeof(glibc)) < 0) {
			fprintf(stderr, "loop: %s\n", err_get());
			return 1;
		}
	t1 = now_us();
	printf("glibc %.2f %s\n", (t1 - t0) / (double)n, *glibc ? glibc : "none");
	return 0;
}
