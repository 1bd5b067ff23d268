/*
 * version.c - the order of migration versions (dbw_version_cmp), shared by
 * every format: timestamps, zero-padded counters and Flyway's dotted
 * versions.
 */
#include <ctype.h>
#include <string.h>

#include <dbward/migrate.h>

static int is_sep(char c)
{
	return c == '.' || c == '_';
}

int dbw_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			/* a digit run is a number of any length: compare without converting */
			size_t la = 0, lb = 0;
			int c;
			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			while (isdigit((unsigned char)a[la]))
				la++;
			while (isdigit((unsigned char)b[lb]))
				lb++;
			if (la != lb)
				return la < lb ? -1 : 1;
			c = memcmp(a, b, la);
			if (c)
				return c < 0 ? -1 : 1;
			a += la;
			b += lb;
		} else if (is_sep(*a) && is_sep(*b)) {
			a++;
			b++;
		} else if (*a != *b) {
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		} else {
			a++;
			b++;
		}
	}
	return 0;
}
