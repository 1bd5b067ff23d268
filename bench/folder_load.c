/*
 * folder_load.c - time dbw_migrations_load on one folder: the part of every
 * status and deploy that reads, checks and hashes the migration files.
 * usage: folder_load DIR [RUNS]; prints the median and best wall time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <dbward.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 21;
	double *t;
	size_t n = 0;
	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: folder_load DIR [RUNS]\n");
		return 2;
	}
	t = calloc((size_t)runs, sizeof(*t));
	for (int i = 0; i < runs; i++) {
		dbw_migration_set *s = NULL;
		dbw_error e = DBW_ERROR_INIT;
		double t0 = now_ms();
		if (dbw_migrations_load(&s, argv[1], NULL, DBW_FORMAT_AUTO, &e) != 0) {
			fprintf(stderr, "folder_load: %s\n", e.message);
			return 1;
		}
		t[i] = now_ms() - t0;
		n = s->count;
		dbw_migrations_free(s);
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("%zu migrations, %d runs: median %.2f ms, best %.2f ms\n", n, runs, t[runs / 2],
	       t[0]);
	free(t);
	return 0;
}
