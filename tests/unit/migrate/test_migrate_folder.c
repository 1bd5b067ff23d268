/*
 * test_migrate_folder.c - loading migration folders: the real corpus
 * histories in every format, detection, order, sections and offsets,
 * checksums, and each way a folder is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dbward.h>
#include "util/util.h"

/* ---- scratch folders ---- */

static char *scratch(void)
{
	char tmpl[] = "/tmp/dbw_folder_XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static void put(const char *dir, const char *rel, const char *data, size_t len)
{
	char *p = dbw_path_join(dir, rel);
	char *slash = strrchr(p, '/');
	FILE *f;
	*slash = '\0';
	assert_int_equal(dbw_mkdir_p(p, 0755, NULL), 0);
	*slash = '/';
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	free(p);
}

static void puts_file(const char *dir, const char *rel, const char *text)
{
	put(dir, rel, text, strlen(text));
}

static void rm_rf(const char *dir)
{
	char *cmd = dbw_sprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static char *corpus(const char *rel)
{
	const char *c = getenv("DBW_CORPUS");
	if (!c)
		fail_msg("DBW_CORPUS is not set (CTest sets it to <repo>/../shared/corpus)");
	return dbw_path_join(c, rel);
}

static dbw_migration_set *load_ok(const char *dir, dbw_format f)
{
	dbw_migration_set *s = NULL;
	dbw_error err = DBW_ERROR_INIT;
	int rc = dbw_migrations_load(&s, dir, NULL, f, &err);
	if (rc != 0)
		print_error("load %s: %s (%s)\n", dir, err.message, err.detail ? err.detail : "");
	assert_int_equal(rc, 0);
	assert_non_null(s);
	dbw_error_clear(&err);
	return s;
}

/* Load expecting failure; returns the error (caller clears). */
static dbw_error load_fail(const char *dir, const char *root, dbw_format f, int code)
{
	dbw_migration_set *s = (dbw_migration_set *)1;
	dbw_error err = DBW_ERROR_INIT;
	int rc = dbw_migrations_load(&s, dir, root, f, &err);
	assert_int_equal(rc, code);
	assert_int_equal(err.code, code);
	assert_null(s);
	return err;
}

static void assert_sorted(const dbw_migration_set *s)
{
	for (size_t i = 1; i < s->count; i++)
		assert_true(dbw_version_cmp(s->items[i - 1].version, s->items[i].version) < 0);
}

/* ---- the corpus ---- */

static void test_migrate_folder__corpus_documenso_prisma(void **st)
{
	char *dir = corpus("documenso__documenso/packages/prisma/migrations");
	dbw_migration_set *s = load_ok(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_PRISMA);
	assert_int_equal(s->count, 163);
	assert_sorted(s);
	assert_string_equal(s->items[0].id, "20230404095503_initial_migration");
	assert_string_equal(s->items[0].version, "20230404095503");
	assert_string_equal(s->items[0].name, "initial_migration");
	assert_string_equal(s->items[0].rel_path, "20230404095503_initial_migration/migration.sql");
	assert_null(s->items[0].down_sql);
	assert_int_equal(s->items[0].up_offset, 0);
	assert_int_equal(s->items[0].up_len, s->items[0].content_len);
	assert_string_equal(s->items[162].id, "20260622120000_add_recipient_reminder_count");
	dbw_migrations_free(s);
	free(dir);
}

static void test_migrate_folder__corpus_pingvin_prisma(void **st)
{
	char *dir = corpus("stonith404__pingvin-share/backend/prisma/migrations");
	dbw_migration_set *s = load_ok(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_PRISMA);
	assert_int_equal(s->count, 24);
	assert_sorted(s);
	dbw_migrations_free(s);
	free(dir);
}

static void test_migrate_folder__corpus_supabase_dbmate(void **st)
{
	char *dir = corpus("supabase__postgres/migrations/db/migrations");
	char *root = corpus("supabase__postgres");
	dbw_migration_set *s = NULL;
	dbw_error err = DBW_ERROR_INIT;
	const dbw_migration *m;

	/* same layout as dbward's: detected as dbward, dbmate when configured */
	s = load_ok(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_DBWARD);
	dbw_migrations_free(s);
	assert_int_equal(dbw_migrations_load(&s, dir, root, DBW_FORMAT_DBMATE, &err), 0);
	assert_int_equal(s->format, DBW_FORMAT_DBMATE);
	assert_int_equal(s->count, 30);
	assert_sorted(s);
	/* 10000000000000 is 14 digits like the timestamps and smaller: it sorts first */
	assert_string_equal(s->items[0].version, "10000000000000");
	assert_string_equal(s->items[0].name, "demote-postgres");
	assert_string_equal(s->items[0].rel_path,
	                    "migrations/db/migrations/10000000000000_demote-postgres.sql");
	assert_string_equal(s->items[1].version, "20211115181400");
	assert_string_equal(s->items[29].version, "20240606060239");
	/* empty down sections: no down SQL; the up SQL stops at -- migrate:down */
	m = &s->items[0];
	assert_null(m->down_sql);
	assert_int_equal(m->up_offset, strlen("-- migrate:up\n"));
	assert_non_null(strstr(m->content + m->up_offset, "ALTER ROLE postgres NOSUPERUSER"));
	assert_true(m->up_offset + m->up_len <= m->content_len);
	assert_memory_equal(m->content + m->up_offset + m->up_len, "-- migrate:down", 15);
	assert_ptr_equal(dbw_migrations_find(s, "20211115181400"), &s->items[1]);
	dbw_migrations_free(s);

	/* init-scripts use "-" after the version, as dbmate's ^(\d+).*\.sql$ allows */
	free(dir);
	dir = corpus("supabase__postgres/migrations/db/init-scripts");
	s = load_ok(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_DBWARD);
	assert_int_equal(s->count, 4);
	assert_string_equal(s->items[0].version, "00000000000000");
	assert_string_equal(s->items[0].name, "initial-schema");
	assert_string_equal(s->items[3].version, "00000000000003");
	dbw_migrations_free(s);
	dbw_error_clear(&err);
	free(dir);
	free(root);
}

static void test_migrate_folder__corpus_harbor_golang(void **st)
{
	char *dir = corpus("goharbor__harbor/make/migrations/postgresql");
	dbw_migration_set *s = load_ok(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_GOLANG_MIGRATE);
	assert_int_equal(s->count, 39);
	assert_sorted(s);
	/* gaps in the numbering and a version-like name */
	assert_string_equal(s->items[1].version, "0002");
	assert_string_equal(s->items[1].name, "1.7.0_schema");
	assert_string_equal(s->items[5].version, "0010");
	assert_string_equal(s->items[38].version, "0190");
	for (size_t i = 0; i < s->count; i++) {
		assert_null(s->items[i].down_path); /* up-only */
		assert_null(s->items[i].down_sql);
		assert_int_equal(s->items[i].up_len, s->items[i].content_len);
	}
	assert_ptr_equal(dbw_migrations_find(s, "10"), &s->items[5]);
	dbw_migrations_free(s);
	free(dir);
}

static void test_migrate_folder__corpus_kestra_flyway(void **st)
{
	char *dir =
	    corpus("kestra-io__kestra/jdbc-postgres/src/main/resources/migrations/postgres");
	dbw_migration_set *s = load_ok(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_FLYWAY);
	assert_int_equal(s->count, 26);
	assert_sorted(s);
	assert_string_equal(s->items[0].version, "1_1");
	assert_string_equal(s->items[0].name, "initial");
	assert_string_equal(s->items[0].id, "1_1");
	assert_string_equal(s->items[8].version, "1_9");
	assert_string_equal(s->items[9].version, "1_10"); /* 1_10 after 1_9, not after 1_1 */
	assert_string_equal(s->items[25].version, "1_27");
	assert_ptr_equal(dbw_migrations_find(s, "1.10"), &s->items[9]);
	assert_null(dbw_migrations_find(s, "1_11"));
	dbw_migrations_free(s);
	free(dir);
}

/* ---- checksums ---- */

static void sha256sum(const char *path, char out[65])
{
	char *cmd = dbw_sprintf("sha256sum '%s'", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, 65, p));
	pclose(p);
	free(cmd);
}

static void test_migrate_folder__prisma_checksum(void **st)
{
	char *dir = corpus("documenso__documenso/packages/prisma/migrations");
	char *d = scratch(), want[65];
	dbw_migration_set *s = load_ok(dir, DBW_FORMAT_AUTO);

	/* Prisma's checksum is SHA-256 of migration.sql's bytes (prisma-engines
	 * checksum.rs render_checksum): the coreutils digest of the file */
	sha256sum(s->items[0].path, want);
	assert_string_equal(s->items[0].checksum, want);
	assert_string_equal(s->items[0].checksum,
	                    "def1213f370dec5b2e38139ed9cb2a9e9cc7ae01240c09b7b95ffc737719f0f2");
	dbw_migrations_free(s);

	/* Prisma's own test vector: render_checksum("hello"), zero-padded hex */
	puts_file(d, "20240101000000_a/migration.sql", "hello");
	/* CRLF is hashed as written, not normalised (Prisma only normalises when comparing) */
	puts_file(d, "20240101000001_b/migration.sql", "ab\r\ncd\r\n");
	puts_file(d, "migration_lock.toml", "provider = \"postgresql\"\n");
	s = load_ok(d, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_PRISMA);
	assert_int_equal(s->count, 2);
	assert_string_equal(s->items[0].checksum,
	                    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	sha256sum(s->items[1].path, want);
	assert_string_equal(s->items[1].checksum, want);
	dbw_migrations_free(s);
	rm_rf(d);
	free(d);
	free(dir);
}

static void test_migrate_folder__checksum_matches(void **st)
{
	char *d = scratch();
	dbw_migration_set *s;
	const dbw_migration *lf, *crlf;
	char want[65];
	/* Prisma's own line-ending test scripts (checksum.rs) */
	puts_file(d, "20240101000000_lf/migration.sql", "ab\ncd\nef\ngh\rab\n");
	puts_file(d, "20240101000001_crlf/migration.sql", "ab\r\ncd\r\nef\r\ngh\rab\r\n");
	s = load_ok(d, DBW_FORMAT_AUTO);
	lf = &s->items[0];
	crlf = &s->items[1];
	assert_string_not_equal(lf->checksum, crlf->checksum);
	/* Prisma: either line ending matches the other's recorded checksum */
	assert_true(dbw_migration_checksum_matches(lf, DBW_FORMAT_PRISMA, crlf->checksum));
	assert_true(dbw_migration_checksum_matches(crlf, DBW_FORMAT_PRISMA, lf->checksum));
	assert_true(dbw_migration_checksum_matches(lf, DBW_FORMAT_PRISMA, lf->checksum));
	/* dbward's history: exact only */
	assert_false(dbw_migration_checksum_matches(lf, DBW_FORMAT_DBWARD, crlf->checksum));
	assert_true(dbw_migration_checksum_matches(lf, DBW_FORMAT_DBWARD, lf->checksum));
	/* a real change never matches */
	dbw_sha256_hex("ab\ncd\n", 6, want);
	assert_false(dbw_migration_checksum_matches(lf, DBW_FORMAT_PRISMA, want));
	assert_false(dbw_migration_checksum_matches(lf, DBW_FORMAT_PRISMA, NULL));
	dbw_migrations_free(s);
	rm_rf(d);
	free(d);

	/* the unpadded hex of old Prisma versions: "SELECT 1;\n" hashes to bytes
	 * below 0x10 (b4e04978 04e46e0a ...), written without their leading 0 */
	d = scratch();
	puts_file(d, "20240101000000_a/migration.sql", "SELECT 1;\n");
	s = load_ok(d, DBW_FORMAT_AUTO);
	{
		char old[65];
		size_t o = 0;
		const char *h = s->items[0].checksum;
		int has_pad = 0;
		for (int i = 0; i < 32; i++) {
			if (h[2 * i] == '0')
				has_pad = 1;
			else
				old[o++] = h[2 * i];
			old[o++] = h[2 * i + 1];
		}
		old[o] = '\0';
		if (has_pad) {
			assert_true(strlen(old) < 64);
			assert_true(
			    dbw_migration_checksum_matches(&s->items[0], DBW_FORMAT_PRISMA, old));
			assert_false(
			    dbw_migration_checksum_matches(&s->items[0], DBW_FORMAT_DBWARD, old));
		}
		assert_true(has_pad);
	}
	dbw_migrations_free(s);
	rm_rf(d);
	free(d);
}

/* ---- sections and offsets ---- */

static void test_migrate_folder__sections_and_positions(void **st)
{
	char *d = scratch();
	const char *text = "-- a header comment\n"
	                   "\n"
	                   "-- migrate:up\n"
	                   "CREATE TABLE t (id int);\n"
	                   "CREATE INDEX t_i ON t (id);\n"
	                   "-- migrate:down\n"
	                   "DROP TABLE t;\n";
	dbw_migration_set *s;
	const dbw_migration *m;
	int line, col;
	size_t off;

	puts_file(d, "20240101000000_create_t.sql", text);
	puts_file(d, "20240102000000_plain.sql", "-- only a comment\n");
	puts_file(
	    d, "20240103000000_conc.sql",
	    "-- migrate:up\n-- dbward:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (id);\n");
	puts_file(d, "20240104000000_dbmate.sql",
	          "-- migrate:up transaction:false\r\nSELECT 1;\r\n-- migrate:down\r\n\r\n");
	puts_file(d, "20240105000000_bom.sql", "\xEF\xBB\xBF-- migrate:up\nSELECT 1;\n");
	puts_file(d, "20240106000000_bom_plain.sql", "\xEF\xBB\xBFSELECT 1;\n");
	puts_file(d, "README.md", "not a migration\n");
	puts_file(d, ".gitkeep", "");
	s = load_ok(d, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_DBWARD);
	assert_int_equal(s->count, 6);

	m = &s->items[0];
	assert_string_equal(m->id, "20240101000000");
	assert_string_equal(m->name, "create_t");
	assert_int_equal(m->content_len, strlen(text));
	assert_int_equal(m->up_offset, strlen("-- a header comment\n\n-- migrate:up\n"));
	assert_int_equal(m->up_len,
	                 strlen("CREATE TABLE t (id int);\nCREATE INDEX t_i ON t (id);\n"));
	assert_string_equal(m->down_sql, "DROP TABLE t;\n");
	assert_int_equal(m->down_offset, strlen(text) - strlen("DROP TABLE t;\n"));
	assert_int_equal(m->no_transaction, 0);
	dbw_migration_position(m, m->up_offset, &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 1);
	off = (size_t)(strstr(m->content, "t_i") - m->content);
	dbw_migration_position(m, off, &line, &col);
	assert_int_equal(line, 5);
	assert_int_equal(col, 14);
	dbw_migration_position(m, m->down_offset, &line, &col);
	assert_int_equal(line, 7);
	{
		char want[65];
		char *p = dbw_path_join(d, "20240101000000_create_t.sql");
		sha256sum(p, want);
		assert_string_equal(m->checksum, want);
		free(p);
	}

	m = &s->items[1]; /* neither marker: the whole file is up SQL */
	assert_int_equal(m->up_offset, 0);
	assert_int_equal(m->up_len, m->content_len);
	assert_null(m->down_sql);

	m = &s->items[2];
	assert_int_equal(m->no_transaction, 1);
	assert_int_equal(m->up_offset, strlen("-- migrate:up\n"));

	m = &s->items[3]; /* dbmate's option, CRLF line ends, empty down section */
	assert_int_equal(m->no_transaction, 1);
	assert_int_equal(m->up_offset, strlen("-- migrate:up transaction:false\r\n"));
	assert_int_equal(m->up_len, strlen("SELECT 1;\r\n"));
	assert_null(m->down_sql);

	m = &s->items[4]; /* a byte order mark before the marker */
	assert_int_equal(m->up_offset, 3 + strlen("-- migrate:up\n"));
	assert_int_equal(m->up_len, strlen("SELECT 1;\n"));
	m = &s->items[5]; /* and before plain SQL: not part of the up SQL */
	assert_int_equal(m->up_offset, 3);
	assert_int_equal(m->up_len, strlen("SELECT 1;\n"));
	dbw_migrations_free(s);
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__golang_pairs(void **st)
{
	char *d = scratch();
	dbw_migration_set *s;
	puts_file(d, "0001_init.up.sql", "CREATE TABLE a (id int);\n");
	puts_file(d, "0001_init.down.sql", "DROP TABLE a;\n");
	puts_file(d, "0002_more.up.sql", "CREATE TABLE b (id int);\n");
	puts_file(d, "0002_more.down.sql", ""); /* `migrate create` leaves it empty */
	puts_file(d, "0003_third_up.sql", "CREATE TABLE c (id int);\n");
	puts_file(d, "0003_third_down.sql", "DROP TABLE c;\n");
	puts_file(d, "0004_conc.up.sql",
	          "-- dbward:no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);\n");
	s = load_ok(d, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_GOLANG_MIGRATE);
	assert_int_equal(s->count, 4);
	assert_int_equal(s->items[0].no_transaction, 0);
	assert_int_equal(s->items[3].no_transaction, 1); /* the marker works in every format */
	assert_string_equal(s->items[0].name, "init");
	assert_string_equal(s->items[0].rel_path, "0001_init.up.sql");
	assert_string_equal(dbw_path_basename(s->items[0].down_path), "0001_init.down.sql");
	assert_string_equal(s->items[0].down_sql, "DROP TABLE a;\n");
	assert_int_equal(s->items[0].down_offset, 0);
	assert_non_null(s->items[1].down_path);
	assert_null(s->items[1].down_sql);
	assert_string_equal(s->items[2].name, "third");
	assert_string_equal(s->items[2].down_sql, "DROP TABLE c;\n");
	dbw_migrations_free(s);
	rm_rf(d);
	free(d);
}

/* ---- refusals ---- */

static void test_migrate_folder__missing_folder(void **st)
{
	dbw_error e =
	    load_fail("/nonexistent/db/migrations", "/nonexistent", DBW_FORMAT_AUTO, DBW_ENOTFOUND);
	assert_string_equal(e.message, "migrations folder \"db/migrations\" does not exist");
	assert_string_equal(e.hint, "Run dbward init, or set migrations = in [project].");
	dbw_error_clear(&e);
}

static void test_migrate_folder__duplicate_version(void **st)
{
	char *d = scratch(), *mig = dbw_path_join(d, "db/migrations");
	dbw_error e;
	puts_file(mig, "20240101000000_a.sql", "SELECT 1;\n");
	puts_file(mig, "20240101000000_b.sql", "SELECT 2;\n");
	e = load_fail(mig, d, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message, "duplicate migration version \"20240101000000\"");
	assert_string_equal(e.detail, "Both \"db/migrations/20240101000000_a.sql\" and "
	                              "\"db/migrations/20240101000000_b.sql\" have version "
	                              "20240101000000.");
	assert_string_equal(e.where, "db/migrations/20240101000000_b.sql");
	assert_non_null(e.hint);
	dbw_error_clear(&e);
	rm_rf(d);
	free(d);
	free(mig);

	/* Flyway 1_1 and 1.1 are one version */
	d = scratch();
	puts_file(d, "V1_1__a.sql", "SELECT 1;\n");
	puts_file(d, "V1.1__b.sql", "SELECT 1;\n");
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message, "duplicate migration version \"1_1\"");
	dbw_error_clear(&e);
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__empty_file(void **st)
{
	char *d = scratch();
	dbw_error e;
	puts_file(d, "20240101000000_a.sql", "SELECT 1;\n");
	puts_file(d, "20240102000000_empty.sql", "");
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message, "migration file \"20240102000000_empty.sql\" is empty");
	assert_string_equal(e.detail, "The file has 0 bytes.");
	assert_string_equal(e.hint, "Write the migration's SQL in it, or delete it. A file holding "
	                            "only a comment is accepted.");
	assert_string_equal(e.where, "20240102000000_empty.sql");
	dbw_error_clear(&e);
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__not_utf8(void **st)
{
	char *d = scratch();
	dbw_error e;
	puts_file(d, "20240101000000_latin1.sql", "SELECT 1;\nSELECT 'caf\xe9';\n");
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message,
	                    "migration file \"20240101000000_latin1.sql\" is not valid UTF-8");
	assert_string_equal(e.where, "20240101000000_latin1.sql:2:12");
	assert_string_equal(e.detail, "The byte 0xE9 at line 2, column 12 does not start a UTF-8 "
	                              "character.");
	assert_string_equal(e.hint, "Save the file as UTF-8, e.g. iconv -f LATIN1 -t UTF-8.");
	dbw_error_clear(&e);
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__binary(void **st)
{
	char *d = scratch();
	dbw_error e;
	put(d, "20240101000000_bin.sql", "SELECT\n1\0\x01\x02", 11);
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message, "migration file \"20240101000000_bin.sql\" is binary");
	assert_string_equal(e.detail, "It holds a NUL byte at line 2, column 2.");
	assert_string_equal(e.where, "20240101000000_bin.sql:2:2");
	assert_string_equal(e.hint, "A migration must be SQL text. Replace the file with the SQL, "
	                            "or delete it.");
	dbw_error_clear(&e);
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__unreadable(void **st)
{
	char *d = scratch(), *p;
	dbw_error e;
	/* a dangling symlink cannot be read, even by root */
	p = dbw_path_join(d, "20240101000000_gone.sql");
	assert_int_equal(symlink("/nonexistent/file.sql", p), 0);
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message, "could not read migration file \"20240101000000_gone.sql\": "
	                               "No such file or directory");
	assert_string_equal(e.where, "20240101000000_gone.sql");
	assert_string_equal(e.hint, "Make the file readable (chmod a+r), or remove it from the "
	                            "migrations folder.");
	dbw_error_clear(&e);
	unlink(p);
	free(p);

	/* a file without read permission; root reads anything, so as root the
	 * check runs in a child that drops to nobody */
	puts_file(d, "20240101000000_secret.sql", "SELECT 1;\n");
	p = dbw_path_join(d, "20240101000000_secret.sql");
	assert_int_equal(chmod(p, 0), 0);
	assert_int_equal(chmod(d, 0755), 0);
	free(p);
	if (geteuid() != 0) {
		e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
		assert_string_equal(e.message, "could not read migration file "
		                               "\"20240101000000_secret.sql\": Permission denied");
		dbw_error_clear(&e);
	} else {
		pid_t pid = fork();
		int status = -1;
		assert_true(pid >= 0);
		if (pid == 0) {
			dbw_migration_set *s = NULL;
			dbw_error ce = DBW_ERROR_INIT;
			int rc;
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(3);
			rc = dbw_migrations_load(&s, d, NULL, DBW_FORMAT_AUTO, &ce);
			_exit(rc == DBW_EINPUT && !s && ce.message &&
			              strcmp(ce.message,
			                     "could not read migration file "
			                     "\"20240101000000_secret.sql\": Permission denied") ==
			                  0
			          ? 0
			          : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__misnamed_file(void **st)
{
	char *d = scratch();
	dbw_error e;
	puts_file(d, "20240101000000_a.sql", "SELECT 1;\n");
	puts_file(d, "schema.sql", "SELECT 1;\n");
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message, "file name \"schema.sql\" does not fit the dbward format");
	assert_string_equal(e.detail, "dbward migrations are named <version>_<name>.sql.");
	assert_string_equal(e.hint, "Rename the file to that pattern, or move it out of the "
	                            "migrations folder.");
	assert_string_equal(e.where, "schema.sql");
	dbw_error_clear(&e);
	rm_rf(d);
	free(d);

	/* only files that fit nothing: the format cannot be told */
	d = scratch();
	puts_file(d, "schema.sql", "SELECT 1;\n");
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_non_null(strstr(e.message, "cannot tell the format of migrations folder"));
	assert_non_null(strstr(e.where, "schema.sql"));
	dbw_error_clear(&e);
	/* a configured format still names the file */
	e = load_fail(d, NULL, DBW_FORMAT_FLYWAY, DBW_EINPUT);
	assert_string_equal(e.message, "file name \"schema.sql\" does not fit the flyway format");
	dbw_error_clear(&e);
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__flyway_repeatable_refused(void **st)
{
	char *d = scratch();
	dbw_error e;
	puts_file(d, "V1__init.sql", "SELECT 1;\n");
	puts_file(d, "R__views.sql", "SELECT 1;\n");
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message,
	                    "flyway repeatable migration \"R__views.sql\" is not supported");
	assert_string_equal(e.where, "R__views.sql");
	dbw_error_clear(&e);
	{
		char *r = dbw_path_join(d, "R__views.sql");
		assert_int_equal(unlink(r), 0);
		free(r);
	}
	puts_file(d, "U1__init.sql", "SELECT 1;\n");
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message, "flyway undo migration \"U1__init.sql\" is not supported");
	dbw_error_clear(&e);
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__prisma_folder_without_script(void **st)
{
	char *d = scratch(), *sub;
	dbw_error e;
	dbw_migration_set *s;
	puts_file(d, "20240101000000_a/migration.sql", "SELECT 1;\n");
	sub = dbw_path_join(d, "20240102000000_b");
	assert_int_equal(dbw_mkdir_p(sub, 0755, NULL), 0);
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message,
	                    "migration folder \"20240102000000_b\" has no migration.sql");
	assert_string_equal(e.hint, "Put the migration's SQL in 20240102000000_b/migration.sql, or "
	                            "delete the folder.");
	dbw_error_clear(&e);
	free(sub);
	rm_rf(d);
	free(d);

	/* in a file-based folder a sub-folder is not a migration: ignored */
	d = scratch();
	puts_file(d, "20240101000000_a.sql", "SELECT 1;\n");
	puts_file(d, "archive/old.txt", "x\n");
	s = load_ok(d, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_DBWARD);
	assert_int_equal(s->count, 1);
	dbw_migrations_free(s);
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__mixture_is_ambiguous(void **st)
{
	char *d = scratch();
	dbw_error e;
	puts_file(d, "20240101000000_a.sql", "SELECT 1;\n");
	puts_file(d, "V2__b.sql", "SELECT 1;\n");
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_ECONFIG);
	assert_non_null(strstr(e.message, "cannot tell the format of migrations folder"));
	assert_string_equal(e.detail, "\"20240101000000_a.sql\" is a dbward migration but "
	                              "\"V2__b.sql\" is a flyway one.");
	assert_string_equal(e.hint,
	                    "Set format = in [project] of dbward.ini (dbward, prisma, dbmate, "
	                    "golang-migrate or flyway), or move the other files away.");
	dbw_error_clear(&e);
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__section_errors(void **st)
{
	char *d = scratch();
	dbw_error e;
	puts_file(d, "1_a.sql", "SELECT 1;\n-- migrate:up\nSELECT 2;\n");
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(e.message,
	                    "SQL before \"-- migrate:up\" in migration file \"1_a.sql\"");
	assert_string_equal(e.where, "1_a.sql:1:1");
	dbw_error_clear(&e);
	puts_file(d, "1_a.sql", "-- migrate:down\nDROP TABLE t;\n");
	e = load_fail(d, NULL, DBW_FORMAT_AUTO, DBW_EINPUT);
	assert_string_equal(
	    e.message,
	    "\"-- migrate:down\" without \"-- migrate:up\" in migration file \"1_a.sql\"");
	dbw_error_clear(&e);
	rm_rf(d);
	free(d);
}

static void test_migrate_folder__empty_folder_and_formats(void **st)
{
	char *d = scratch();
	dbw_migration_set *s = load_ok(d, DBW_FORMAT_AUTO);
	dbw_format f;
	dbw_error e = DBW_ERROR_INIT;
	assert_int_equal(s->format, DBW_FORMAT_DBWARD);
	assert_int_equal(s->count, 0);
	assert_null(dbw_migrations_find(s, "1"));
	dbw_migrations_free(s);
	dbw_migrations_free(NULL);
	rm_rf(d);
	free(d);

	assert_string_equal(dbw_format_name(DBW_FORMAT_GOLANG_MIGRATE), "golang-migrate");
	assert_string_equal(dbw_format_name(DBW_FORMAT_AUTO), "auto");
	assert_int_equal(dbw_format_parse("flyway", &f, &e), 0);
	assert_int_equal(f, DBW_FORMAT_FLYWAY);
	assert_int_equal(dbw_format_parse("liquibase", &f, &e), DBW_ECONFIG);
	assert_string_equal(e.message, "unknown migration format \"liquibase\"");
	dbw_error_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrate_folder__corpus_documenso_prisma),
	    cmocka_unit_test(test_migrate_folder__corpus_pingvin_prisma),
	    cmocka_unit_test(test_migrate_folder__corpus_supabase_dbmate),
	    cmocka_unit_test(test_migrate_folder__corpus_harbor_golang),
	    cmocka_unit_test(test_migrate_folder__corpus_kestra_flyway),
	    cmocka_unit_test(test_migrate_folder__prisma_checksum),
	    cmocka_unit_test(test_migrate_folder__checksum_matches),
	    cmocka_unit_test(test_migrate_folder__sections_and_positions),
	    cmocka_unit_test(test_migrate_folder__golang_pairs),
	    cmocka_unit_test(test_migrate_folder__missing_folder),
	    cmocka_unit_test(test_migrate_folder__duplicate_version),
	    cmocka_unit_test(test_migrate_folder__empty_file),
	    cmocka_unit_test(test_migrate_folder__not_utf8),
	    cmocka_unit_test(test_migrate_folder__binary),
	    cmocka_unit_test(test_migrate_folder__unreadable),
	    cmocka_unit_test(test_migrate_folder__misnamed_file),
	    cmocka_unit_test(test_migrate_folder__flyway_repeatable_refused),
	    cmocka_unit_test(test_migrate_folder__prisma_folder_without_script),
	    cmocka_unit_test(test_migrate_folder__mixture_is_ambiguous),
	    cmocka_unit_test(test_migrate_folder__section_errors),
	    cmocka_unit_test(test_migrate_folder__empty_folder_and_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
