/*
 * folder.c - reading a migrations folder into a dbw_migration_set: which
 * files are migrations (per format, see format.c), reading and checking
 * each file (empty, binary, not UTF-8, unreadable), the sections of each
 * (read_sections.c), checksums, the sort order and duplicate versions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/folder.h"

static void migration_clear(dbw_migration *m)
{
	free(m->version);
	free(m->name);
	free(m->id);
	free(m->path);
	free(m->rel_path);
	free(m->down_path);
	free(m->content);
	free(m->down_sql);
	memset(m, 0, sizeof(*m));
}

void dbw_migrations_free(dbw_migration_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++)
		migration_clear(&s->items[i]);
	free(s->items);
	free(s->dir);
	free(s);
}

const dbw_migration *dbw_migrations_find(const dbw_migration_set *s, const char *version)
{
	if (!s || !version)
		return NULL;
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->items[i].id, version) == 0 ||
		    strcmp(s->items[i].version, version) == 0)
			return &s->items[i];
	/* "1.1" finds Flyway's V1_1, "1" finds "0001" */
	for (size_t i = 0; i < s->count; i++)
		if (dbw_version_cmp(s->items[i].version, version) == 0)
			return &s->items[i];
	return NULL;
}

void dbw_migration_position(const dbw_migration *m, size_t offset, int *line_out, int *col_out)
{
	dbw_text_position(m->content, m->content_len, offset, line_out, col_out);
}

/* Prisma's old unpadded hex: each byte as {:x}, so 0x0a is "a". */
static void hex_unpadded(const unsigned char md[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 0; i < 32; i++) {
		if (md[i] >> 4)
			out[o++] = hex[md[i] >> 4];
		out[o++] = hex[md[i] & 15];
	}
	out[o] = '\0';
}

static int digest_matches(const char *data, size_t len, const char *recorded)
{
	char h[65];
	unsigned char md[32];
	dbw_sha256_hex(data, len, h);
	if (strcmp(h, recorded) == 0)
		return 1;
	for (int i = 0; i < 32; i++) {
		int hi = h[2 * i] <= '9' ? h[2 * i] - '0' : h[2 * i] - 'a' + 10;
		int lo = h[2 * i + 1] <= '9' ? h[2 * i + 1] - '0' : h[2 * i + 1] - 'a' + 10;
		md[i] = (unsigned char)(hi * 16 + lo);
	}
	hex_unpadded(md, h);
	return strcmp(h, recorded) == 0;
}

/* text with every from-sequence replaced by to; NULL on OOM. */
static char *replace_all(const char *text, size_t len, const char *from, const char *to,
                         size_t *len_out)
{
	dbw_buf b = DBW_BUF_INIT;
	size_t fl = strlen(from), i = 0;
	while (i < len) {
		if (i + fl <= len && memcmp(text + i, from, fl) == 0) {
			dbw_buf_puts(&b, to);
			i += fl;
		} else {
			dbw_buf_putc(&b, text[i++]);
		}
	}
	if (b.oom) {
		dbw_buf_free(&b);
		return NULL;
	}
	*len_out = b.len;
	return dbw_buf_detach(&b);
}

int dbw_migration_checksum_matches(const dbw_migration *m, dbw_format format, const char *recorded)
{
	static const char *const variants[2][2] = {{"\r\n", "\n"}, {"\n", "\r\n"}};
	if (!m || !recorded)
		return 0;
	if (strcmp(m->checksum, recorded) == 0)
		return 1;
	if (format != DBW_FORMAT_PRISMA)
		return 0;
	if (digest_matches(m->content, m->content_len, recorded))
		return 1;
	for (int v = 0; v < 2; v++) {
		size_t len = 0;
		char *t =
		    replace_all(m->content, m->content_len, variants[v][0], variants[v][1], &len);
		int ok = t && digest_matches(t, len, recorded);
		free(t);
		if (ok)
			return 1;
	}
	return 0;
}

/*
 * Read one migration file and refuse what cannot be a migration. allow_empty
 * for golang-migrate's down files, which its `create` leaves empty.
 */
static int read_checked(const char *path, const char *rel, int allow_empty, char **data_out,
                        size_t *len_out, dbw_error *err)
{
	dbw_error e = DBW_ERROR_INIT;
	size_t bad = 0;
	int line, col, rc;

	*data_out = NULL;
	*len_out = 0;
	/* unreadable: bad input (exit 2) naming the file, like the other refusals here */
	if (access(path, R_OK) != 0) {
		dbw_error_set(err, DBW_EINPUT, "could not read migration file \"%s\": %s", rel,
		              strerror(errno));
		dbw_error_hint(err, "Make the file readable (chmod a+r), or remove it from the "
		                    "migrations folder.");
		dbw_error_where(err, "%s", rel);
		return DBW_EINPUT;
	}
	rc = dbw_file_read(path, data_out, len_out, &e);
	if (rc < 0) {
		if (err)
			dbw_error_move(err, &e);
		dbw_error_clear(&e);
		return rc;
	}
	if (*len_out == 0 && !allow_empty) {
		dbw_error_set(err, DBW_EINPUT, "migration file \"%s\" is empty", rel);
		dbw_error_detail(err, "The file has 0 bytes.");
		dbw_error_hint(err,
		               "Write the migration's SQL in it, or delete it. A file holding only "
		               "a comment is accepted.");
		dbw_error_where(err, "%s", rel);
		goto fail;
	}
	if (dbw_looks_binary(*data_out, *len_out)) {
		size_t off = (size_t)((const char *)memchr(*data_out, '\0', *len_out) - *data_out);
		dbw_text_position(*data_out, *len_out, off, &line, &col);
		dbw_error_set(err, DBW_EINPUT, "migration file \"%s\" is binary", rel);
		dbw_error_detail(err, "It holds a NUL byte at line %d, column %d.", line, col);
		dbw_error_hint(err,
		               "A migration must be SQL text. Replace the file with the SQL, or "
		               "delete it.");
		dbw_error_where(err, "%s:%d:%d", rel, line, col);
		goto fail;
	}
	if (!dbw_utf8_valid(*data_out, *len_out, &bad)) {
		dbw_text_position(*data_out, *len_out, bad, &line, &col);
		dbw_error_set(err, DBW_EINPUT, "migration file \"%s\" is not valid UTF-8", rel);
		dbw_error_detail(err,
		                 "The byte 0x%02X at line %d, column %d does not start a UTF-8 "
		                 "character.",
		                 (unsigned char)(*data_out)[bad], line, col);
		dbw_error_hint(err, "Save the file as UTF-8, e.g. iconv -f LATIN1 -t UTF-8.");
		dbw_error_where(err, "%s:%d:%d", rel, line, col);
		goto fail;
	}
	return 0;
fail:
	free(*data_out);
	*data_out = NULL;
	return DBW_EINPUT;
}

static const char *pattern_of(dbw_format f)
{
	switch (f) {
	case DBW_FORMAT_GOLANG_MIGRATE:
		return "<version>_<name>.up.sql and <version>_<name>.down.sql";
	case DBW_FORMAT_FLYWAY:
		return "V<version>__<name>.sql";
	case DBW_FORMAT_PRISMA:
		return "<version>_<name>/migration.sql";
	default:
		return "<version>_<name>.sql";
	}
}

static int misnamed(const char *rel, dbw_format f, dbw_error *err)
{
	dbw_error_set(err, DBW_EINPUT, "file name \"%s\" does not fit the %s format", rel,
	              dbw_format_name(f));
	dbw_error_detail(err, "%s migrations are named %s.", dbw_format_name(f), pattern_of(f));
	dbw_error_hint(err, "Rename the file to that pattern, or move it out of the migrations "
	                    "folder.");
	dbw_error_where(err, "%s", rel);
	return DBW_EINPUT;
}

/* A Prisma migration folder without its script: Prisma cannot apply it either. */
static int no_script(const dbw_migration_set *s, const char *root, const char *file, dbw_error *err)
{
	char *full = dbw_path_join(s->dir, file);
	char *rel = full ? dbw_path_relative(full, root ? root : s->dir) : NULL;
	if (!rel) {
		free(full);
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	dbw_error_set(err, DBW_EINPUT, "migration folder \"%s\" has no migration.sql", rel);
	dbw_error_hint(err, "Put the migration's SQL in %s/migration.sql, or delete the folder.",
	               rel);
	dbw_error_where(err, "%s", rel);
	free(full);
	free(rel);
	return DBW_EINPUT;
}

/* Fill m for the file (or Prisma folder) named file; the name is already parsed into fn. */
static int add_migration(dbw_migration_set *s, const char *root, dbw_format f, const char *file,
                         dbw_fname *fn, dbw_error *err)
{
	dbw_migration *m = &s->items[s->count];
	char *entry = dbw_path_join(s->dir, file);
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (!entry)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	m->version = fn->version;
	m->name = fn->name;
	fn->version = fn->name = NULL;
	m->id = dbw_strdup(f == DBW_FORMAT_PRISMA ? file : m->version);
	m->path =
	    f == DBW_FORMAT_PRISMA ? dbw_path_join(entry, "migration.sql") : dbw_strdup(entry);
	m->rel_path = m->path ? dbw_path_relative(m->path, root ? root : s->dir) : NULL;
	s->count++; /* owned by the set from here: freed with it on failure */
	if (!m->id || !m->path || !m->rel_path) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	rc = read_checked(m->path, m->rel_path, 0, &m->content, &m->content_len, err);
	if (rc < 0)
		goto done;
	m->up_offset = 0;
	m->up_len = m->content_len;
	if (f == DBW_FORMAT_DBWARD || f == DBW_FORMAT_DBMATE)
		rc = dbw_migration__read_sections(m, err);
	else /* the explicit marker is a plain comment to the other tools: honoured too */
		m->no_transaction = dbw_migration__scan_marker(m);
	if (rc < 0)
		goto done;
	/* Prisma's checksum is SHA-256 of migration.sql as read, hex, no line-ending
	 * normalisation: prisma-engines, checksum.rs of the migration core (now schema-engine core)
	 * render_checksum() (its script_matches_checksum() also accepts the CRLF/LF
	 * variants and unpadded hex when comparing). Others: the up file's bytes. */
	dbw_sha256_hex(m->content, m->content_len, m->checksum);
done:
	free(entry);
	return rc;
}

/* golang-migrate: attach a down file to the up migration of the same version. */
static int add_down(dbw_migration_set *s, const char *root, const char *file, dbw_fname *fn,
                    dbw_error *err)
{
	dbw_migration *m = NULL;
	char *path = dbw_path_join(s->dir, file), *rel = NULL, *data = NULL;
	size_t len = 0;
	int rc = 0;

	if (!path)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	rel = dbw_path_relative(path, root ? root : s->dir);
	if (!rel) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < s->count; i++)
		if (dbw_version_cmp(s->items[i].version, fn->version) == 0)
			m = &s->items[i];
	if (!m) {
		rc = dbw_error_set(err, DBW_EINPUT, "down migration \"%s\" has no up migration",
		                   rel);
		dbw_error_detail(err, "No %s_*.up.sql file has version %s.", fn->version,
		                 fn->version);
		dbw_error_hint(err, "Add the up migration, or delete the down file.");
		dbw_error_where(err, "%s", rel);
		goto done;
	}
	if (m->down_path) {
		char *other = dbw_path_relative(m->down_path, root ? root : s->dir);
		rc = dbw_error_set(err, DBW_EINPUT, "duplicate migration version \"%s\"",
		                   fn->version);
		dbw_error_detail(err, "Both \"%s\" and \"%s\" are down migrations of version %s.",
		                 other ? other : m->down_path, rel, fn->version);
		dbw_error_hint(err, "Keep one down file per version.");
		dbw_error_where(err, "%s", rel);
		free(other);
		goto done;
	}
	rc = read_checked(path, rel, 1, &data, &len, err);
	if (rc < 0)
		goto done;
	m->down_path = path;
	path = NULL;
	m->down_offset = 0;
	if (len > 0) {
		m->down_sql = data;
		data = NULL;
	}
done:
	free(path);
	free(rel);
	free(data);
	return rc;
}

static int by_version(const void *a, const void *b)
{
	const dbw_migration *x = a, *y = b;
	int c = dbw_version_cmp(x->version, y->version);
	return c ? c : strcmp(x->id, y->id);
}

static int load_entries(dbw_migration_set *s, const dbw_flisting *l, const char *root,
                        dbw_error *err)
{
	dbw_format f = s->format;
	int pass, rc = 0;
	/* golang-migrate: ups first, then downs attach to them */
	for (pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < l->count; i++) {
			const dbw_fentry *e = &l->items[i];
			dbw_fname fn;
			int is_dir = e->kind == DBW_FK_PRISMA;
			int fits;

			if (pass == 1 && f != DBW_FORMAT_GOLANG_MIGRATE)
				break;
			if (e->empty_dir) {
				if (f == DBW_FORMAT_PRISMA && pass == 0)
					return no_script(s, root, e->file, err);
				continue; /* sub-folders of file-based formats are not ours */
			}
			if (f == DBW_FORMAT_PRISMA && !is_dir) {
				char *rel = NULL, *full = dbw_path_join(s->dir, e->file);
				rel = full ? dbw_path_relative(full, root ? root : s->dir) : NULL;
				rc = rel ? misnamed(rel, f, err)
				         : dbw_error_set(err, DBW_ENOMEM, "out of memory");
				free(full);
				free(rel);
				return rc;
			}
			if (f != DBW_FORMAT_PRISMA && is_dir)
				continue; /* a sub-folder of a file-based format is not ours */
			fits = dbw_fname__parse(f, e->file, &fn);
			if (fits < 0)
				return dbw_error_set(err, DBW_ENOMEM, "out of memory");
			if (fits == 0 || fn.unsupported) {
				char *full = dbw_path_join(s->dir, e->file);
				char *rel =
				    full ? dbw_path_relative(full, root ? root : s->dir) : NULL;
				if (!rel) {
					rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
				} else if (fits) {
					rc = dbw_error_set(
					    err, DBW_EINPUT,
					    "flyway %s migration \"%s\" is not supported",
					    e->file[0] == 'R' ? "repeatable" : "undo", rel);
					dbw_error_detail(
					    err, "dbward applies Flyway's versioned "
					         "migrations (V<version>__<name>.sql) only.");
					dbw_error_hint(
					    err, "Fold the file into a new versioned "
					         "migration, or move it out of the migrations "
					         "folder.");
					dbw_error_where(err, "%s", rel);
				} else {
					rc = misnamed(rel, f, err);
				}
				free(full);
				free(rel);
				dbw_fname__clear(&fn);
				return rc;
			}
			if (fn.is_down != pass) {
				dbw_fname__clear(&fn);
				continue;
			}
			rc = pass == 0 ? add_migration(s, root, f, e->file, &fn, err)
			               : add_down(s, root, e->file, &fn, err);
			dbw_fname__clear(&fn);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int check_duplicates(const dbw_migration_set *s, dbw_error *err)
{
	for (size_t i = 1; i < s->count; i++) {
		const dbw_migration *a = &s->items[i - 1], *b = &s->items[i];
		if (dbw_version_cmp(a->version, b->version) != 0)
			continue;
		dbw_error_set(err, DBW_EINPUT, "duplicate migration version \"%s\"", b->version);
		dbw_error_detail(err, "Both \"%s\" and \"%s\" have version %s.", a->rel_path,
		                 b->rel_path, b->version);
		dbw_error_hint(err, "Give one of them a new version (rename it with `dbward new`'s "
		                    "timestamp), so that each version is used once.");
		dbw_error_where(err, "%s", b->rel_path);
		return DBW_EINPUT;
	}
	return 0;
}

int dbw_migrations_load(dbw_migration_set **out, const char *dir, const char *root,
                        dbw_format format, dbw_error *err)
{
	dbw_migration_set *s = NULL;
	dbw_flisting l = {NULL, 0, 0};
	char *abs_root = root ? dbw_path_absolute(root) : NULL;
	char *rel_dir = NULL;
	int rc = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s || (root && !abs_root) || !(s->dir = dbw_path_absolute(dir)) ||
	    !(rel_dir = dbw_path_relative(s->dir, abs_root))) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (!dbw_path_exists(s->dir)) {
		rc = dbw_error_set(err, DBW_ENOTFOUND, "migrations folder \"%s\" does not exist",
		                   rel_dir);
		dbw_error_hint(err, "Run dbward init, or set migrations = in [project].");
		goto done;
	}
	if (!dbw_path_is_dir(s->dir)) {
		rc = dbw_error_set(err, DBW_ECONFIG, "migrations folder \"%s\" is not a directory",
		                   rel_dir);
		dbw_error_hint(err, "Set migrations = in [project] to the folder holding the "
		                    "migrations.");
		goto done;
	}
	rc = dbw_flisting__read(&l, s->dir, err);
	if (rc < 0)
		goto done;
	if (format == DBW_FORMAT_AUTO) {
		rc = dbw_flisting__detect(&l, rel_dir, &s->format, err);
		if (rc < 0)
			goto done;
	} else {
		s->format = format;
	}
	s->items = calloc(l.count ? l.count : 1, sizeof(*s->items));
	if (!s->items) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	rc = load_entries(s, &l, abs_root, err);
	if (rc < 0)
		goto done;
	qsort(s->items, s->count, sizeof(*s->items), by_version);
	rc = check_duplicates(s, err);
done:
	dbw_flisting__free(&l);
	free(abs_root);
	free(rel_dir);
	if (rc < 0)
		dbw_migrations_free(s);
	else
		*out = s;
	return rc;
}
