/*
 * sanitize_transform.c - the sanitizer: the secret key and the transformers
 * that rewrite one value (keep, redact, null, mask, hash_email, hash,
 * fake_name, fake_phone, fake_address, set).
 *
 * Keyed transformers use HMAC-SHA-256 (OpenSSL EVP_MAC). Each kind gets its
 * own subkey, HMAC(key, "dbward-sanitize:" kind), so that hash and
 * hash_email of one value are unrelated, while one kind gives the same
 * output for the same input in every table (joins keep matching). The
 * output never depends on table or column.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <dbward/copy.h>
#include "data/sanitize.h"
#include "util/util.h"

#define HASH_HEX       32 /* `hash`: 128 bits */
#define EMAIL_HASH_HEX 20 /* `hash_email` local part: 80 bits */

struct dbw_sanitizer {
	unsigned char *key;
	size_t key_len;
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx[DBW_RULE__COUNT]; /* initialised with each kind's subkey */
};

void dbw_sanitizer_free(dbw_sanitizer *s)
{
	if (!s)
		return;
	for (int i = 0; i < DBW_RULE__COUNT; i++)
		EVP_MAC_CTX_free(s->ctx[i]);
	EVP_MAC_free(s->mac);
	if (s->key) {
		OPENSSL_cleanse(s->key, s->key_len);
		free(s->key);
	}
	free(s);
}

static EVP_MAC_CTX *mac_ctx(EVP_MAC *mac, const unsigned char *key, size_t key_len)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!ctx || !EVP_MAC_init(ctx, key, key_len, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int dbw_sanitizer_new(dbw_sanitizer **out, const char *key, dbw_error *err)
{
	dbw_sanitizer *s = NULL;
	EVP_MAC_CTX *root = NULL;
	int rc = 0;
	*out = NULL;
	if (!key)
		key = getenv(DBW_SANITIZE_KEY_VAR);
	if (!key || !*key) {
		dbw_error_set(err, DBW_ECONFIG, "no sanitize key");
		dbw_error_detail(err,
		                 "The variable %s is not set; keyed rules (hash, hash_email, "
		                 "fake_*) need a secret so that their outputs cannot be "
		                 "reversed by guessing inputs.",
		                 DBW_SANITIZE_KEY_VAR);
		dbw_error_hint(err,
		               "Set %s to a secret of at least %d characters kept outside the "
		               "repository, e.g. export %s=$(openssl rand -hex 32).",
		               DBW_SANITIZE_KEY_VAR, DBW_SANITIZE_KEY_MIN, DBW_SANITIZE_KEY_VAR);
		return DBW_ECONFIG;
	}
	if (strlen(key) < DBW_SANITIZE_KEY_MIN) {
		dbw_error_set(err, DBW_ECONFIG, "sanitize key is too short");
		dbw_error_detail(err, "%s holds %zu characters; at least %d are required.",
		                 DBW_SANITIZE_KEY_VAR, strlen(key), DBW_SANITIZE_KEY_MIN);
		dbw_error_hint(err, "Make one with: openssl rand -hex 32.");
		return DBW_ECONFIG;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->key = malloc(strlen(key)))) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	s->key_len = strlen(key);
	memcpy(s->key, key, s->key_len);
	s->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!s->mac || !(root = mac_ctx(s->mac, s->key, s->key_len))) {
		rc = dbw_error_set(err, DBW_ERROR, "could not initialise HMAC-SHA-256");
		goto done;
	}
	for (int k = 0; k < DBW_RULE__COUNT; k++) {
		unsigned char sub[32];
		size_t sub_len = 0;
		char label[64];
		EVP_MAC_CTX *c = EVP_MAC_CTX_dup(root);
		int n = snprintf(label, sizeof(label), "dbward-sanitize:%s",
		                 dbw_rule_kind_name((dbw_rule_kind)k));
		if (!c || !EVP_MAC_update(c, (const unsigned char *)label, (size_t)n) ||
		    !EVP_MAC_final(c, sub, &sub_len, sizeof(sub))) {
			EVP_MAC_CTX_free(c);
			rc = dbw_error_set(err, DBW_ERROR, "could not derive sanitize subkeys");
			goto done;
		}
		EVP_MAC_CTX_free(c);
		s->ctx[k] = mac_ctx(s->mac, sub, sub_len);
		OPENSSL_cleanse(sub, sizeof(sub));
		if (!s->ctx[k]) {
			rc = dbw_error_set(err, DBW_ERROR, "could not derive sanitize subkeys");
			goto done;
		}
	}
done:
	EVP_MAC_CTX_free(root);
	if (rc < 0) {
		dbw_sanitizer_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* HMAC-SHA-256 of in under kind's subkey. EVP_MAC_init with a NULL key
 * restarts the context with the key it holds (OpenSSL 3), cheaper than
 * duplicating it per value; so a sanitizer serves one thread at a time. */
static int keyed(const dbw_sanitizer *s, dbw_rule_kind kind, const char *in, size_t len,
                 unsigned char out[32])
{
	size_t out_len = 0;
	EVP_MAC_CTX *c = s->ctx[kind];
	int ok = EVP_MAC_init(c, NULL, 0, NULL) &&
	         EVP_MAC_update(c, (const unsigned char *)in, len) &&
	         EVP_MAC_final(c, out, &out_len, 32);
	return ok ? 0 : -1;
}

static void to_hex(const unsigned char *h, size_t nhex, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < nhex; i++)
		out[i] = digits[(h[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	out[nhex] = '\0';
}

static uint32_t word32(const unsigned char *h, size_t at)
{
	return (uint32_t)h[at] << 24 | (uint32_t)h[at + 1] << 16 | (uint32_t)h[at + 2] << 8 |
	       (uint32_t)h[at + 3];
}

static const char *pick(const dbw_wordlist *w, const unsigned char *h, size_t at)
{
	return w->words[word32(h, at) % w->count];
}

/* Length in bytes of the UTF-8 sequence starting with byte c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* Digits -> 'X', letters (and any non-ASCII character) -> 'x', the rest kept,
 * one output character per input character; the last `keep` characters stay. */
static int mask(const char *in, size_t len, long keep, dbw_buf *b)
{
	size_t nchars = 0, i, seen = 0, keep_n;
	for (i = 0; i < len; i += utf8_len((unsigned char)in[i]))
		nchars++;
	keep_n = keep <= 0 ? 0 : (size_t)keep > nchars ? nchars : (size_t)keep;
	for (i = 0; i < len; seen++) {
		unsigned char c = (unsigned char)in[i];
		size_t n = utf8_len(c);
		if (i + n > len)
			n = len - i;
		if (keep_n && seen >= nchars - keep_n)
			dbw_buf_put(b, in + i, n);
		else if (c >= '0' && c <= '9')
			dbw_buf_putc(b, 'X');
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80)
			dbw_buf_putc(b, 'x');
		else
			dbw_buf_putc(b, (char)c);
		i += n;
	}
	return b->oom ? -1 : 0;
}

static int hash_email(const dbw_sanitizer *s, const char *in, size_t len, dbw_buf *b)
{
	unsigned char h[32];
	char hex[EMAIL_HASH_HEX + 1];
	size_t at = len;
	/* The last '@' splits: a quoted local part may hold one. */
	for (size_t i = len; i > 0; i--)
		if (in[i - 1] == '@') {
			at = i - 1;
			break;
		}
	if (keyed(s, DBW_RULE_HASH_EMAIL, in, at, h) < 0)
		return -1;
	to_hex(h, EMAIL_HASH_HEX, hex);
	dbw_buf_puts(b, hex);
	if (at < len)
		dbw_buf_put(b, in + at, len - at);
	return b->oom ? -1 : 0;
}

static int transform(const dbw_sanitizer *s, dbw_rule_kind kind, const char *arg, const char *in,
                     size_t len, dbw_buf *b)
{
	unsigned char h[32];
	char hex[HASH_HEX + 1];
	switch (kind) {
	case DBW_RULE_MASK:
		return mask(in, len, arg ? strtol(arg, NULL, 10) : 0, b);
	case DBW_RULE_HASH_EMAIL:
		return hash_email(s, in, len, b);
	case DBW_RULE_HASH:
		if (keyed(s, kind, in, len, h) < 0)
			return -1;
		to_hex(h, HASH_HEX, hex);
		return dbw_buf_puts(b, hex);
	case DBW_RULE_FAKE_NAME:
		if (keyed(s, kind, in, len, h) < 0)
			return -1;
		return dbw_buf_printf(b, "%s %s", pick(&dbw_words_first, h, 0),
		                      pick(&dbw_words_last, h, 4));
	case DBW_RULE_FAKE_PHONE:
		if (keyed(s, kind, in, len, h) < 0)
			return -1;
		/* 555 is the North American exchange kept for fiction. */
		return dbw_buf_printf(b, "+1 555 %03u %04u", word32(h, 0) % 1000,
		                      word32(h, 4) % 10000);
	case DBW_RULE_FAKE_ADDRESS:
		if (keyed(s, kind, in, len, h) < 0)
			return -1;
		return dbw_buf_printf(
		    b, "%u %s %s, %s", 1 + word32(h, 0) % 2999, pick(&dbw_words_street, h, 4),
		    pick(&dbw_words_street_suffix, h, 8), pick(&dbw_words_city, h, 12));
	default:
		return dbw_buf_put(b, in, len);
	}
}

int dbw_sanitize_value(const dbw_sanitizer *s, dbw_rule_kind kind, const char *arg, const char *in,
                       size_t in_len, char **out, size_t *out_len, dbw_error *err)
{
	dbw_buf b = DBW_BUF_INIT;
	*out = NULL;
	*out_len = 0;
	if (kind == DBW_RULE_NULL || (!in && kind != DBW_RULE_SET))
		return 0;
	if (kind == DBW_RULE_SET) {
		dbw_buf_puts(&b, arg ? arg : "");
	} else if (kind == DBW_RULE_REDACT) {
		dbw_buf_puts(&b, arg ? arg : "[redacted]");
	} else if ((unsigned)kind >= DBW_RULE__COUNT ||
	           transform(s, kind, arg, in, in_len, &b) < 0) {
		int oom = b.oom;
		dbw_buf_free(&b);
		if (oom)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		return dbw_error_set(err, DBW_ERROR, "could not apply sanitize rule \"%s\"",
		                     dbw_rule_kind_name(kind));
	}
	dbw_buf_put(&b, "", 0);
	if (b.oom) {
		dbw_buf_free(&b);
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	*out_len = b.len;
	*out = dbw_buf_detach(&b);
	return *out ? 0 : dbw_error_set(err, DBW_ENOMEM, "out of memory");
}
