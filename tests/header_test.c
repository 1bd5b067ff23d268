/* Compiles the public header alone, -std=c99 -pedantic: it must need nothing else. */
#include <dbward.h>

int main(void)
{
	dbw_error err = DBW_ERROR_INIT;
	(void)err;
	return 0;
}
