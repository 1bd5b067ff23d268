/*
 * sanitize.h - what the sanitize_*.c and copy_*.c files share (internal).
 */
#ifndef DBW_DATA_SANITIZE_H
#define DBW_DATA_SANITIZE_H

#include <stddef.h>
#include <dbward/copy.h>

typedef struct dbw_wordlist {
	const char *const *words;
	size_t count;
} dbw_wordlist;

extern const dbw_wordlist dbw_words_first;
extern const dbw_wordlist dbw_words_last;
extern const dbw_wordlist dbw_words_street;
extern const dbw_wordlist dbw_words_street_suffix;
extern const dbw_wordlist dbw_words_city;

#endif
