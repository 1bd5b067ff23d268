/*
 * sanitize_pii.c - which column names and types look personal (the PII
 * guard's word list). The check over a live database is copy_pii.c.
 */
#include <ctype.h>
#include <string.h>

#include <dbward/copy.h>

/* Whole words of a column name that suggest personal data. Each entry is
 * matched against one word of the name (case-folded), so "ip" matches
 * last_login_ip but not zip_code. */
static const char *const personal_words[] = {
    "email",     "mail",      "emailaddress", "phone",     "phonenumber", "mobile",   "fax",
    "telephone", "tel",       "name",         "firstname", "lastname",    "fullname", "surname",
    "username",  "nickname",  "address",      "street",    "addr",        "postcode", "postal",
    "zip",       "zipcode",   "ip",           "ipaddress", "birth",       "birthday", "birthdate",
    "dob",       "ssn",       "passport",     "nin",       "taxid",       "password", "passwd",
    "pwd",       "token",     "secret",       "apikey",    "otp",         "iban",     "bic",
    "card",      "cvv",       "cvc",          "pan",       "salary",      "gender",   "geo",
    "latitude",  "longitude",
};

/* Types whose values are personal whatever the column is called. */
static const char *const personal_types[] = {"inet", "cidr", "macaddr", "macaddr8"};

static const char *word_reason(const char *word, size_t len)
{
	char low[64];
	if (len == 0 || len >= sizeof(low))
		return NULL;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)word[i]);
	low[len] = '\0';
	for (size_t i = 0; i < sizeof(personal_words) / sizeof(personal_words[0]); i++)
		if (strcmp(low, personal_words[i]) == 0)
			return personal_words[i];
	return NULL;
}

const char *dbw_pii_reason(const char *column, const char *type)
{
	size_t start = 0, i;
	if (type)
		for (i = 0; i < sizeof(personal_types) / sizeof(personal_types[0]); i++)
			if (strcmp(type, personal_types[i]) == 0)
				return personal_types[i];
	if (!column)
		return NULL;
	for (i = 0;; i++) {
		unsigned char c = (unsigned char)column[i];
		int boundary = !c || !isalnum(c) ||
		               (i > 0 && isupper(c) && islower((unsigned char)column[i - 1]));
		if (boundary && i > start) {
			const char *r = word_reason(column + start, i - start);
			if (r)
				return r;
		}
		if (!c)
			break;
		if (boundary)
			start = isalnum(c) ? i : i + 1;
	}
	return NULL;
}
