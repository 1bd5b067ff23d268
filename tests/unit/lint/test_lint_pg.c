/*
 * test_lint_pg.c - the PostgreSQL rules on real-looking migrations: each
 * rule has at least three statements that must fire and three that must
 * not (the safe patterns included).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lint_cases.h"

#define S DBW_LINT_SEED

static const lint_case cases[] = {
    /* DW001 parse-error */
    {"DW001", 1, 0, "CREATE TABLE \"User\" (id SERIAL PRIMARY KEY,);"},
    {"DW001", 1, 0, "ALTER TABLE users ADD COLUMN;"},
    {"DW001", 1, 0, "SELECT 1;\nCREAT INDEX i ON t(a);"},
    {"DW001", 1, 0, "DROP INDEX \"a\";\nSELECT coalesce(1;"},
    {"DW001", 0, 0, "CREATE TABLE \"User\" (id SERIAL PRIMARY KEY, email TEXT NOT NULL);"},
    {"DW001", 0, 0,
     "DO $$ BEGIN CREATE TYPE mood AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN null; END "
     "$$;"},
    {"DW001", 0, 0, "-- only a comment\n"},
    /* DW002 unmatched-allow */
    {"DW002", 1, 0, "SET lock_timeout = '1s';\n-- dbward:allow DW101\nDROP TABLE \"Session\";"},
    {"DW002", 1, 0,
     "-- dbward:allow DW104 the table was emptied by hand\nALTER TABLE t ADD COLUMN c int;"},
    {"DW002", 1, 0, "-- dbward:allow DW9999 typo in the id\nSELECT 1;"},
    {"DW002", 0, 0,
     "SET lock_timeout = '1s';\n-- dbward:allow DW101 archived to s3 in OPS-42\nDROP TABLE "
     "\"Session\";"},
    {"DW002", 0, 0, "-- dbward allow DW101 (not the directive: no colon)\nSELECT 1;"},
    {"DW002", 0, 0, "-- dbward:allow delete-without-where test rows only\nDELETE FROM sessions;"},
    /* DW004 identifier-too-long */
    {"DW004", 1, 0,
     "CREATE INDEX \"TemplateDirectLink_templateId_recipientId_envelopeItemId_fieldId_key\" ON "
     "\"TemplateDirectLink\" (\"templateId\");"},
    {"DW004", 1, 0,
     "CREATE TABLE organisation_global_settings_for_documents_templates_and_envelopes (id int);"},
    {"DW004", 1, 0,
     "ALTER TABLE t ADD CONSTRAINT "
     "\"DocumentAuditLog_envelopeId_fkey_for_the_audit_trail_of_every_item\" FOREIGN KEY (e) "
     "REFERENCES e (id) NOT VALID;"},
    {"DW004", 0, 0,
     "CREATE INDEX \"TemplateDirectLink_templateId_key\" ON \"TemplateDirectLink\" "
     "(\"templateId\");"},
    {"DW004", 0, 0,
     "SELECT 'a string literal longer than sixty-three bytes is not an identifier at all';"},
    {"DW004", 0, 0,
     "CREATE TABLE exactly_sixty_three_bytes_long_table_name_padded_out_to_63_byte (id int);"},
    /* DW101 drop-table */
    {"DW101", 1, 0, "DROP TABLE \"Session\";"},
    {"DW101", 1, 0, "DROP TABLE IF EXISTS public.audit_log CASCADE;"},
    {"DW101", 1, 0, "ALTER TABLE a ADD COLUMN x int;\nDROP TABLE old_a, old_b;"},
    {"DW101", 0, 0, "CREATE TABLE tmp_import (id int);\nDROP TABLE tmp_import;"},
    {"DW101", 0, 0,
     "CREATE TABLE \"new_User\" (id TEXT NOT NULL PRIMARY KEY, email TEXT);\n"
     "INSERT INTO \"new_User\" (id, email) SELECT id, email FROM \"User\";\n"
     "DROP TABLE \"User\";\nALTER TABLE \"new_User\" RENAME TO \"User\";"},
    {"DW101", 0, 0, "DROP VIEW user_stats;"},
    {"DW101", 0, 0,
     "CREATE TABLE \"new_User\" (id TEXT NOT NULL PRIMARY KEY);\n"
     "INSERT INTO \"new_User\" (id) SELECT id FROM \"User\";\n"
     "DROP TABLE \"User\";\nALTER TABLE \"new_User\" RENAME TO \"User\";\nSELEC 1;"},
    /* DW102 drop-column */
    {"DW102", 1, 0, "ALTER TABLE \"Document\" DROP COLUMN \"templateId\";"},
    {"DW102", 1, 0, "ALTER TABLE users DROP COLUMN IF EXISTS legacy_name, ADD COLUMN x int;"},
    {"DW102", 1, 0, "ALTER TABLE ONLY public.orders DROP COLUMN note CASCADE;"},
    {"DW102", 0, 0, "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;"},
    {"DW102", 0, 0, "ALTER TABLE users DROP CONSTRAINT users_email_key;"},
    {"DW102", 0, 0, "ALTER TABLE users ALTER COLUMN name DROP DEFAULT;"},
    /* DW103 drop-schema-database */
    {"DW103", 1, 0, "DROP SCHEMA legacy CASCADE;"},
    {"DW103", 1, 0, "DROP SCHEMA IF EXISTS staging;"},
    {"DW103", 1, 0, "DROP DATABASE analytics;"},
    {"DW103", 0, 0, "CREATE SCHEMA IF NOT EXISTS auth;"},
    {"DW103", 0, 0, "DROP FUNCTION IF EXISTS auth.uid();"},
    {"DW103", 0, 0, "ALTER SCHEMA legacy RENAME TO archive;"},
    /* DW104 truncate */
    {"DW104", 1, 0, "TRUNCATE TABLE \"VerificationToken\";"},
    {"DW104", 1, 0, "TRUNCATE sessions, tokens RESTART IDENTITY;"},
    {"DW104", 1, 0, "SET lock_timeout = '2s';\nTRUNCATE ONLY events CASCADE;"},
    {"DW104", 0, 0, "CREATE TABLE staging_rows (id int);\nTRUNCATE staging_rows;"},
    {"DW104", 0, 0, "DELETE FROM sessions WHERE expires < now();"},
    {"DW104", 0, 0, "CREATE UNLOGGED TABLE scratch AS SELECT 1 AS x;\nTRUNCATE scratch;"},
    /* DW105 delete-without-where */
    {"DW105", 1, 0, "DELETE FROM \"Session\";"},
    {"DW105", 1, 0, "DELETE FROM public.password_reset_tokens;"},
    {"DW105", 1, 0, "DELETE FROM ONLY events RETURNING id;"},
    {"DW105", 0, 0, "DELETE FROM \"Session\" WHERE \"expires\" < NOW();"},
    {"DW105", 0, 0, "DELETE FROM t USING u WHERE t.u_id = u.id AND u.deleted;"},
    {"DW105", 0, 0, "CREATE TABLE tmp (id int);\nINSERT INTO tmp VALUES (1);\nDELETE FROM tmp;"},
    /* DW106 update-without-where */
    {"DW106", 1, 0, "UPDATE \"User\" SET \"emailVerified\" = NOW();"},
    {"DW106", 1, 0, "UPDATE documents SET status = 'DRAFT', updated_at = now();"},
    {"DW106", 1, 0, "UPDATE ONLY public.accounts SET plan = 'free' RETURNING id;"},
    {"DW106", 0, 0, "UPDATE \"User\" SET \"role\" = 'USER' WHERE \"role\" IS NULL;"},
    {"DW106", 0, 0, "UPDATE t SET a = u.a FROM u WHERE t.id = u.id;"},
    {"DW106", 0, 0, "CREATE TABLE n (id int, v text);\nUPDATE n SET v = 'x';"},
    /* DW107 lossy-type-change (the old type comes from an earlier migration) */
    {"DW107", 1, 0,
     "CREATE TABLE users (age integer);\n-- @next-file\nALTER TABLE users ALTER COLUMN age TYPE "
     "smallint;"},
    {"DW107", 1, 0,
     "CREATE TABLE users (name varchar(255));\n-- @next-file\nALTER TABLE users ALTER COLUMN name "
     "TYPE varchar(20);"},
    {"DW107", 1, 0,
     "CREATE TABLE events (payload text);\n-- @next-file\nALTER TABLE events ALTER COLUMN payload "
     "TYPE integer USING payload::integer;"},
    {"DW107", 1, 0,
     "CREATE TABLE \"Recipient\" (\"expired\" TIMESTAMP(3));\n-- @next-file\nALTER TABLE "
     "\"Recipient\" ALTER COLUMN \"expired\" SET DATA TYPE DATE;"},
    {"DW107", 0, 0,
     "CREATE TABLE users (name varchar(255));\n-- @next-file\nALTER TABLE users ALTER COLUMN name "
     "TYPE text;"},
    {"DW107", 0, 0,
     "CREATE TABLE users (id integer);\n-- @next-file\nALTER TABLE users ALTER COLUMN id TYPE "
     "bigint;"},
    {"DW107", 0, 0, "CREATE TABLE p (price int);\nALTER TABLE p ALTER COLUMN price TYPE smallint;"},
    {"DW107", 0, 0, "ALTER TABLE unknown_history ALTER COLUMN c TYPE varchar(10);"},
    /* DW108 drop-type */
    {"DW108", 1, 0, "DROP TYPE \"Role\";"},
    {"DW108", 1, 0, "DROP TYPE IF EXISTS public.document_status CASCADE;"},
    {"DW108", 1, 0, "ALTER TYPE \"Plan\" RENAME TO \"Plan_old\";\nDROP TYPE \"Plan_old\";"},
    {"DW108", 0, 0,
     "ALTER TYPE \"Role\" RENAME TO \"Role_old\";\n"
     "CREATE TYPE \"Role\" AS ENUM ('ADMIN', 'USER');\n"
     "ALTER TABLE \"User\" ALTER COLUMN \"role\" TYPE \"Role\" USING (\"role\"::text::\"Role\");\n"
     "DROP TYPE \"Role_old\";"},
    {"DW108", 0, 0, "CREATE TYPE tmp_kind AS ENUM ('a');\nDROP TYPE tmp_kind;"},
    {"DW108", 0, 0, "DROP DOMAIN IF EXISTS email_address;"},
    /* DW109 enum-value-removed */
    {"DW109", 1, 0,
     "CREATE TYPE \"Role\" AS ENUM ('ADMIN', 'USER', 'GUEST');\n"
     "ALTER TYPE \"Role\" RENAME TO \"Role_old\";\n"
     "CREATE TYPE \"Role\" AS ENUM ('ADMIN', 'USER');\nDROP TYPE \"Role_old\";"},
    {"DW109", 1, 0,
     "CREATE TYPE s AS ENUM ('a');\nALTER TYPE s ADD VALUE 'b';\n"
     "ALTER TYPE s RENAME TO s_old;\nCREATE TYPE s AS ENUM ('a');\nDROP TYPE s_old;"},
    {"DW109", 1, 0,
     "CREATE TYPE k AS ENUM ('x', 'y');\nALTER TYPE k RENAME TO k_old;\n"
     "CREATE TYPE k AS ENUM ('y', 'z');"},
    {"DW109", 0, 0,
     "CREATE TYPE \"Role\" AS ENUM ('ADMIN', 'USER');\n"
     "ALTER TYPE \"Role\" RENAME TO \"Role_old\";\n"
     "CREATE TYPE \"Role\" AS ENUM ('ADMIN', 'USER', 'GUEST');\nDROP TYPE \"Role_old\";"},
    {"DW109", 0, 0,
     "ALTER TYPE \"Role\" RENAME TO \"Role_old\";\nCREATE TYPE \"Role\" AS ENUM ('A');"},
    {"DW109", 0, 0, "CREATE TYPE s AS ENUM ('a');\nALTER TYPE s ADD VALUE 'b';"},
    /* DW201 index-not-concurrently */
    {"DW201", 1, 0, "CREATE INDEX \"Document_userId_idx\" ON \"Document\"(\"userId\");"},
    {"DW201", 1, 0, "CREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");"},
    {"DW201", 1, 0, "CREATE INDEX IF NOT EXISTS idx_logs_at ON public.logs USING brin (at);"},
    {"DW201", 0, 0, "CREATE INDEX CONCURRENTLY idx_logs_at ON logs (at);"},
    {"DW201", 0, 0,
     "CREATE TABLE \"Team\" (id SERIAL, url TEXT);\nCREATE UNIQUE INDEX \"Team_url_key\" ON "
     "\"Team\"(\"url\");"},
    {"DW201", 0, 0, "CREATE TABLE e (id int);\nCREATE INDEX ON e (id);"},
    /* DW202 concurrently-in-transaction */
    {"DW202", 1, 0, "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;"},
    {"DW202", 1, 0, "START TRANSACTION;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;"},
    {"DW202", 1, 0, "BEGIN;\nREINDEX INDEX CONCURRENTLY i;\nEND;"},
    {"DW202", 0, 0, "CREATE INDEX CONCURRENTLY i ON t (a);"},
    {"DW202", 0, 0,
     "BEGIN;\nALTER TABLE t ADD COLUMN b int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (b);"},
    {"DW202", 0, 0, "BEGIN;\nCREATE INDEX i ON t (a);\nCOMMIT;"},
    /* DW203 constraint-not-valid */
    {"DW203", 1, 0,
     "ALTER TABLE \"Document\" ADD CONSTRAINT \"Document_userId_fkey\" FOREIGN KEY (\"userId\") "
     "REFERENCES \"User\"(\"id\") ON DELETE CASCADE ON UPDATE CASCADE;"},
    {"DW203", 1, 0, "ALTER TABLE orders ADD CONSTRAINT positive_total CHECK (total >= 0);"},
    {"DW203", 1, 0, "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id);"},
    {"DW203", 0, 0,
     "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID;"},
    {"DW203", 0, 0,
     "ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nALTER TABLE orders "
     "VALIDATE CONSTRAINT c;"},
    {"DW203", 0, 0,
     "CREATE TABLE \"Field\" (id int, \"documentId\" int);\nALTER TABLE \"Field\" ADD CONSTRAINT f "
     "FOREIGN KEY (\"documentId\") REFERENCES \"Document\"(id);"},
    {"DW203", 1, 0, "ALTER DOMAIN email_address ADD CONSTRAINT email_at CHECK (VALUE ~ '@');"},
    {"DW203", 0, 0,
     "ALTER DOMAIN email_address ADD CONSTRAINT email_at CHECK (VALUE ~ '@') NOT VALID;"},
    {"DW203", 0, 0,
     "CREATE DOMAIN email_address AS text;\nALTER DOMAIN email_address ADD CONSTRAINT email_at "
     "CHECK (VALUE ~ '@');"},
    /* DW204 unique-without-index */
    {"DW204", 1, 0, "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"},
    {"DW204", 1, 0, "ALTER TABLE \"Account\" ADD PRIMARY KEY (\"id\");"},
    {"DW204", 1, 0,
     "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH "
     "&&);"},
    {"DW204", 0, 0, "CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email);"},
    {"DW204", 0, 0,
     "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;"},
    {"DW204", 0, 0,
     "CREATE TABLE t (id int, code text);\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id);"},
    /* DW205 set-not-null */
    {"DW205", 1, 0, "ALTER TABLE \"User\" ALTER COLUMN \"email\" SET NOT NULL;"},
    {"DW205", 1, 0,
     "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users "
     "ALTER COLUMN email SET NOT NULL;"},
    {"DW205", 1, 0,
     "ALTER TABLE users ADD CONSTRAINT c CHECK (name IS NOT NULL) NOT VALID;\nALTER TABLE users "
     "VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;"},
    {"DW205", 0, 0,
     "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users "
     "VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;"},
    {"DW205", 0, 0, "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;"},
    {"DW205", 0, 0, "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;"},
    /* DW206 volatile-default */
    {"DW206", 1, 0,
     "ALTER TABLE \"User\" ADD COLUMN \"uuid\" UUID NOT NULL DEFAULT gen_random_uuid();"},
    {"DW206", 1, 0, "ALTER TABLE events ADD COLUMN seq bigserial;"},
    {"DW206", 1, 0, "ALTER TABLE t ADD COLUMN r double precision DEFAULT random() * 10;"},
    {"DW206", 0, 0,
     "ALTER TABLE \"User\" ADD COLUMN \"createdAt\" TIMESTAMP(3) NOT NULL DEFAULT "
     "CURRENT_TIMESTAMP;"},
    {"DW206", 0, 0, "ALTER TABLE t ADD COLUMN created_at timestamptz DEFAULT now();"},
    {"DW206", 0, 0,
     "CREATE TABLE n (id int);\nALTER TABLE n ADD COLUMN u uuid DEFAULT gen_random_uuid();"},
    /* DW207 type-change-rewrite */
    {"DW207", 1, 0,
     "ALTER TABLE \"Recipient\" ALTER COLUMN \"expired\" SET DATA TYPE TIMESTAMP(3);"},
    {"DW207", 1, 0, "ALTER TABLE users ALTER COLUMN id TYPE bigint;"},
    {"DW207", 1, 0, "ALTER TABLE y ALTER COLUMN c TYPE jsonb USING c::jsonb;"},
    {"DW207", 0, 0, "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'x';"},
    {"DW207", 0, 0, "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;"},
    {"DW207", 0, 0,
     "CREATE TABLE u (name varchar(50));\n-- @next-file\nALTER TABLE u ALTER COLUMN name TYPE "
     "varchar(100);"},
    {"DW207", 0, 0,
     "ALTER TYPE \"Role\" RENAME TO \"Role_old\";\nCREATE TYPE \"Role\" AS ENUM ('A', 'B');\n"
     "ALTER TABLE \"User\" ALTER COLUMN \"role\" TYPE \"Role\" USING (\"role\"::text::\"Role\");\n"
     "DROP TYPE \"Role_old\";"},
    /* DW208 blocking-maintenance */
    {"DW208", 1, 0, "VACUUM FULL users;"},
    {"DW208", 1, 0, "CLUSTER events USING events_at_idx;"},
    {"DW208", 1, 0, "REINDEX TABLE users;"},
    {"DW208", 0, 0, "VACUUM ANALYZE users;"},
    {"DW208", 0, 0, "REINDEX TABLE CONCURRENTLY users;"},
    {"DW208", 0, 0, "ANALYZE users;"},
    /* DW209 no-lock-timeout */
    {"DW209", 1, 0, "ALTER TABLE users ADD COLUMN bio text;"},
    {"DW209", 1, 0, "ALTER TABLE users RENAME TO members;"},
    {"DW209", 1, 0, "SET lock_timeout = '2s';\nRESET lock_timeout;\nTRUNCATE t;"},
    {"DW209", 0, 0, "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN bio text;"},
    {"DW209", 0, 0, "SET LOCAL lock_timeout TO '5s';\nALTER TABLE users DROP COLUMN bio;"},
    {"DW209", 0, 0,
     "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID;\nALTER "
     "TABLE orders VALIDATE CONSTRAINT fk;"},
    /* DW210 drop-index-not-concurrently */
    {"DW210", 1, 0, "DROP INDEX \"User_email_key\";"},
    {"DW210", 1, 0, "DROP INDEX IF EXISTS public.idx_a, public.idx_b;"},
    {"DW210", 1, 0, "ALTER TABLE t ADD COLUMN a int;\nDROP INDEX idx_t_a;"},
    {"DW210", 0, 0, "DROP INDEX CONCURRENTLY \"User_email_key\";"},
    {"DW210", 0, 0, "CREATE INDEX i ON tnew (a);\nDROP INDEX i;"},
    {"DW210", 0, 0, "DROP TABLE IF EXISTS x_idx;"},
    {"DW210", 1, 0,
     "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\n-- @next-file\nDROP INDEX t_a;"},
    {"DW210", 0, 0,
     "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\n-- @next-file\nDROP TABLE t;\nCREATE "
     "TABLE t (a int, b int);\nDROP INDEX IF EXISTS t_a;"},
    /* DW211 transaction-nesting */
    {"DW211", 1, 0, "BEGIN;\nALTER TABLE t ADD COLUMN a int;"},
    {"DW211", 1, 0, "BEGIN;\nBEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nCOMMIT;"},
    {"DW211", 1, 0,
     "START TRANSACTION;\nUPDATE t SET a = 1 WHERE id = 2;\nCOMMIT;\nBEGIN;\nSELECT 1;"},
    {"DW211", 0, 0, "BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;"},
    {"DW211", 0, 0, "ALTER TABLE t ADD COLUMN a int;"},
    {"DW211", 0, 0, "BEGIN;\nSELECT 1;\nROLLBACK;\nBEGIN;\nSELECT 2;\nCOMMIT;"},
    /* DW212 detach-partition-not-concurrently */
    {"DW212", 1, 0, "ALTER TABLE measurements DETACH PARTITION measurements_2023;"},
    {"DW212", 1, 0, "ALTER TABLE ONLY public.events DETACH PARTITION public.events_2019;"},
    {"DW212", 0, 0, "ALTER TABLE public.events DETACH PARTITION public.events_old FINALIZE;"},
    {"DW212", 1, 0, "SET lock_timeout = '1s';\nALTER TABLE logs DETACH PARTITION logs_2020;"},
    {"DW212", 0, 0, "ALTER TABLE measurements DETACH PARTITION measurements_2023 CONCURRENTLY;"},
    {"DW212", 0, 0,
     "ALTER TABLE measurements ATTACH PARTITION m2024 FOR VALUES FROM ('2024-01-01') TO "
     "('2025-01-01');"},
    {"DW212", 0, 0,
     "CREATE TABLE p (id int) PARTITION BY RANGE (id);\nCREATE TABLE p1 PARTITION OF p FOR VALUES "
     "FROM (0) TO (10);"},
    /* DW213 backfill-under-lock */
    {"DW213", 1, 0,
     "ALTER TABLE \"Document\" ADD COLUMN \"createdAt\" TIMESTAMP(3);\nUPDATE \"Document\" SET "
     "\"createdAt\" = \"created\";"},
    {"DW213", 1, 0,
     "ALTER TABLE users RENAME COLUMN name TO full_name;\nDELETE FROM users WHERE full_name IS "
     "NULL;"},
    {"DW213", 1, 0,
     "SET lock_timeout = '2s';\nALTER TABLE audit ADD COLUMN v int;\nINSERT INTO audit (v) SELECT "
     "1 FROM generate_series(1, 10);"},
    {"DW213", 0, 0,
     "UPDATE \"Document\" SET \"createdAt\" = \"created\" WHERE \"createdAt\" IS NULL;"},
    {"DW213", 0, 0,
     "BEGIN;\nALTER TABLE d ADD COLUMN c int;\nCOMMIT;\nUPDATE d SET c = 1 WHERE id < 1000;"},
    {"DW213", 0, 0,
     "CREATE TABLE n (id int);\nALTER TABLE n ADD COLUMN c int;\nUPDATE n SET c = 1;"},
    {"DW213", 0, 0,
     "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT "
     "VALID;\nUPDATE orders SET u = NULL WHERE u = 0;"},
    {"DW213", 0, DBW_LINT_NO_TXN,
     "ALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = 1 WHERE c IS NULL;"},
    /* DW301 not-null-without-default */
    {"DW301", 1, 0, "ALTER TABLE \"Document\" ADD COLUMN \"title\" TEXT NOT NULL;"},
    {"DW301", 1, 0,
     "ALTER TABLE users ADD COLUMN tenant_id integer NOT NULL REFERENCES tenants (id);"},
    {"DW301", 1, 0, "ALTER TABLE a ADD COLUMN b int, ADD COLUMN c text NOT NULL;"},
    {"DW301", 0, 0, "ALTER TABLE \"Document\" ADD COLUMN \"title\" TEXT NOT NULL DEFAULT '';"},
    {"DW301", 0, 0, "ALTER TABLE users ADD COLUMN tenant_id integer;"},
    {"DW301", 0, 0,
     "CREATE TABLE \"Team\" (id SERIAL NOT NULL, name TEXT NOT NULL);\nALTER TABLE \"Team\" ADD "
     "COLUMN url TEXT NOT NULL;"},
    {"DW301", 1, 0, "ALTER TABLE users ADD COLUMN tenant_id integer DEFAULT NULL NOT NULL;"},
    /* DW302 rename-column */
    {"DW302", 1, 0, "ALTER TABLE \"User\" RENAME COLUMN \"name\" TO \"fullName\";"},
    {"DW302", 1, 0, "ALTER TABLE ONLY public.orders RENAME total TO amount;"},
    {"DW302", 1, 0, "SET lock_timeout = '1s';\nALTER TABLE a RENAME COLUMN b TO c;"},
    {"DW302", 0, 0, "CREATE TABLE a (b int);\nALTER TABLE a RENAME COLUMN b TO c;"},
    {"DW302", 0, 0, "ALTER TABLE a RENAME CONSTRAINT a_pkey TO a_pk;"},
    {"DW302", 0, 0, "ALTER INDEX a_b_idx RENAME TO a_c_idx;"},
    /* DW303 rename-table */
    {"DW303", 1, 0, "ALTER TABLE \"Subscription\" RENAME TO \"Plan\";"},
    {"DW303", 1, 0, "ALTER TABLE IF EXISTS public.users RENAME TO members;"},
    {"DW303", 1, 0, "SET lock_timeout = '1s';\nALTER TABLE logs RENAME TO audit_logs;"},
    {"DW303", 0, 0,
     "CREATE TABLE \"new_User\" (id TEXT NOT NULL PRIMARY KEY);\n"
     "INSERT INTO \"new_User\" (id) SELECT id FROM \"User\";\n"
     "DROP TABLE \"User\";\nALTER TABLE \"new_User\" RENAME TO \"User\";"},
    {"DW303", 0, 0, "ALTER TABLE a RENAME COLUMN b TO c;"},
    {"DW303", 0, 0, "ALTER TYPE \"Role\" RENAME TO \"Role_old\";"},
    /* DW401 seed-insert-without-on-conflict */
    {"DW401", 1, S, "INSERT INTO \"User\" (email, name) VALUES ('admin@example.com', 'Admin');"},
    {"DW401", 1, S, "INSERT INTO plans (code) SELECT unnest(ARRAY['free','pro']);"},
    {"DW401", 1, S,
     "INSERT INTO roles VALUES (1, 'admin') ON CONFLICT DO NOTHING;\nINSERT INTO roles VALUES (2, "
     "'user');"},
    {"DW401", 0, S, "INSERT INTO roles VALUES (1, 'admin') ON CONFLICT DO NOTHING;"},
    {"DW401", 0, S,
     "INSERT INTO settings (k, v) VALUES ('a', '1') ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v;"},
    {"DW401", 0, 0, "INSERT INTO \"User\" (email) VALUES ('admin@example.com');"},
};

#define N (sizeof(cases) / sizeof(cases[0]))
#define RULE_TEST(id)                                                                              \
	static void test_lint_pg__##id(void **state)                                               \
	{                                                                                          \
		(void)state;                                                                       \
		run_cases(DBW_DB_POSTGRES, cases, N, #id);                                         \
	}

RULE_TEST(DW001)
RULE_TEST(DW004)
RULE_TEST(DW002)
RULE_TEST(DW101)
RULE_TEST(DW102)
RULE_TEST(DW103)
RULE_TEST(DW104)
RULE_TEST(DW105)
RULE_TEST(DW106)
RULE_TEST(DW107)
RULE_TEST(DW108)
RULE_TEST(DW109)
RULE_TEST(DW201)
RULE_TEST(DW202)
RULE_TEST(DW203)
RULE_TEST(DW204)
RULE_TEST(DW205)
RULE_TEST(DW206)
RULE_TEST(DW207)
RULE_TEST(DW208)
RULE_TEST(DW209)
RULE_TEST(DW210)
RULE_TEST(DW211)
RULE_TEST(DW212)
RULE_TEST(DW213)
RULE_TEST(DW301)
RULE_TEST(DW302)
RULE_TEST(DW303)
RULE_TEST(DW401)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lint_pg__DW001), cmocka_unit_test(test_lint_pg__DW004),
	    cmocka_unit_test(test_lint_pg__DW002), cmocka_unit_test(test_lint_pg__DW101),
	    cmocka_unit_test(test_lint_pg__DW102), cmocka_unit_test(test_lint_pg__DW103),
	    cmocka_unit_test(test_lint_pg__DW104), cmocka_unit_test(test_lint_pg__DW105),
	    cmocka_unit_test(test_lint_pg__DW106), cmocka_unit_test(test_lint_pg__DW107),
	    cmocka_unit_test(test_lint_pg__DW108), cmocka_unit_test(test_lint_pg__DW109),
	    cmocka_unit_test(test_lint_pg__DW201), cmocka_unit_test(test_lint_pg__DW202),
	    cmocka_unit_test(test_lint_pg__DW203), cmocka_unit_test(test_lint_pg__DW204),
	    cmocka_unit_test(test_lint_pg__DW205), cmocka_unit_test(test_lint_pg__DW206),
	    cmocka_unit_test(test_lint_pg__DW207), cmocka_unit_test(test_lint_pg__DW208),
	    cmocka_unit_test(test_lint_pg__DW209), cmocka_unit_test(test_lint_pg__DW210),
	    cmocka_unit_test(test_lint_pg__DW211), cmocka_unit_test(test_lint_pg__DW212),
	    cmocka_unit_test(test_lint_pg__DW213), cmocka_unit_test(test_lint_pg__DW301),
	    cmocka_unit_test(test_lint_pg__DW302), cmocka_unit_test(test_lint_pg__DW303),
	    cmocka_unit_test(test_lint_pg__DW401),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
