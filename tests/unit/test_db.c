/*
 * test_db.c — unit tests of core/db.c: opening a database and migrations
 * (STYLE.md: numbered migrations tracked by PRAGMA user_version; a database
 * newer than the binary is refused, not damaged).
 */
#include "fixture.h"

/* The whole content of a file.  OUT: *len.  Caller frees. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	data = malloc((size_t)n);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

static int file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void test_fresh_database_reaches_latest(void **state)
{
	Fixture *fx = *state;

	assert_true(db_schema_latest() >= 1); /* at least 0001_init.sql */
	assert_int_equal(fx_int(fx->db, "PRAGMA user_version"), db_schema_latest());
	/* the tables of 0001_init.sql are there */
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM sqlite_master WHERE name IN "
					"('agency', 'purchase', 'audit_log', 'period', 'app_user', "
					"'live_purchase', 'purchase_no_update')"),
			 7);
}

/* db_migrate on an empty database applies every migration, once. */
static void test_migrate_counts(void **state)
{
	Fixture fx;
	sqlite3 *raw = NULL;
	int applied = -1;
	Err e = {0};

	(void)state;
	fx_temp_path(&fx);
	assert_int_equal(sqlite3_open(fx.path, &raw), SQLITE_OK);
	assert_int_equal(db_migrate(raw, &applied, &e), CL_OK);
	assert_int_equal(applied, db_schema_latest());
	assert_int_equal(db_migrate(raw, &applied, &e), CL_OK);
	assert_int_equal(applied, 0);
	sqlite3_close(raw);
	fx_unlink(fx.path);
}

/* Opening an up-to-date database again applies nothing. */
static void test_open_twice_applies_nothing(void **state)
{
	Fixture *fx = *state;
	sqlite3 *again = NULL;
	int applied = -1;
	Err e = {0};

	db_close(fx->db);
	fx->db = NULL;
	fx_expect("reopen", db_open(fx->path, &again, &e), &e, CL_OK, NULL);
	fx->db = again;
	assert_int_equal(db_migrate(fx->db, &applied, &e), CL_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(fx_int(fx->db, "PRAGMA user_version"), db_schema_latest());
}

static void test_newer_database_refused_untouched(void **state)
{
	char pragma[64], wal[80];
	unsigned char *before, *after;
	size_t nbefore, nafter;
	sqlite3 *raw = NULL, *db = (sqlite3 *)1;
	Fixture fx;
	Err e = {0};

	(void)state;
	fx_temp_path(&fx);
	snprintf(pragma, sizeof pragma, "CREATE TABLE t(x); PRAGMA user_version = %d;",
		 db_schema_latest() + 1);
	assert_int_equal(sqlite3_open(fx.path, &raw), SQLITE_OK);
	assert_int_equal(fx_sql(raw, pragma), SQLITE_OK);
	sqlite3_close(raw);
	before = slurp(fx.path, &nbefore);

	fx_expect("newer", db_open(fx.path, &db, &e), &e, CL_EDB, "newer");
	assert_null(db);
	after = slurp(fx.path, &nafter);
	assert_int_equal(nafter, nbefore);
	assert_memory_equal(after, before, nbefore);
	snprintf(wal, sizeof wal, "%s-wal", fx.path);
	assert_false(file_exists(wal));

	assert_int_equal(sqlite3_open(fx.path, &raw), SQLITE_OK);
	assert_int_equal(db_int(raw, -1, "PRAGMA user_version", ""), db_schema_latest() + 1);
	assert_int_equal(db_int(raw, -1, "SELECT count(*) FROM sqlite_master", ""), 1);
	sqlite3_close(raw);
	free(before);
	free(after);
	fx_unlink(fx.path);
}

static void test_pragmas(void **state)
{
	Fixture *fx = *state;
	char mode[16];

	assert_int_equal(db_text(fx->db, mode, sizeof mode, "PRAGMA journal_mode", ""), 1);
	assert_string_equal(mode, "wal");
	assert_int_equal(fx_int(fx->db, "PRAGMA foreign_keys"), 1);
	/* foreign keys are enforced, not just declared */
	assert_int_not_equal(fx_sql(fx->db, "INSERT INTO participant(contract_id, agency_id, "
					    "joined, created_at) VALUES (7, 7, '2025-07-01', 'x')"),
			     SQLITE_OK);
}

/* The one-shot helpers bind values instead of formatting them into SQL. */
static void test_helpers_bind(void **state)
{
	Fixture *fx = *state;
	char text[32];
	Err e = {0};

	assert_int_equal(db_exec(fx->db, &e, "CREATE TABLE kv(k TEXT, v INTEGER)", ""), CL_OK);
	assert_int_equal(db_exec(fx->db, &e, "INSERT INTO kv VALUES (?, ?)", "ti", "a'; DROP",
				 (int64_t)5000000000LL),
			 CL_OK);
	assert_int_equal(db_int(fx->db, -1, "SELECT v FROM kv WHERE k = ?", "t", "a'; DROP"),
			 5000000000LL);
	assert_int_equal(db_int(fx->db, -1, "SELECT v FROM kv WHERE k = ?", "t", "b"), -1);
	assert_int_equal(db_text(fx->db, text, sizeof text, "SELECT k FROM kv", ""), 1);
	assert_string_equal(text, "a'; DROP");
	assert_int_equal(db_text(fx->db, text, sizeof text, "SELECT k FROM kv WHERE 0", ""), 0);
	assert_string_equal(text, "");
	/* a constraint failure is a conflict, other failures a database error */
	fx_expect("unique",
		  db_exec(fx->db, &e,
			  "INSERT INTO vendor(code, name, created_at) "
			  "VALUES ('V', 'n', 't'), ('V', 'n', 't')",
			  ""),
		  &e, CL_ECONFLICT, "UNIQUE");
	fx_expect("syntax", db_exec(fx->db, &e, "SELEKT 1", ""), &e, CL_EDB, "syntax");
}

/* A kept statement is lent again after db_release(), never to two callers
 * at once, and db_close() finalizes it: the connection really closes. */
static void test_kept_statements(void **state)
{
	static const char sql[] = "SELECT count(*) FROM agency WHERE code = ?";
	Fixture *fx = *state;
	sqlite3_stmt *a = NULL, *b = NULL, *c = NULL;
	sqlite3 *db = NULL;
	Err e = {0};

	assert_int_equal(db_prepare_kept(fx->db, &a, sql, &e), CL_OK);
	assert_int_equal(db_prepare_kept(fx->db, &b, sql, &e), CL_OK);
	assert_ptr_not_equal(a, b); /* a is still out: b is another */
	sqlite3_bind_text(a, 1, "X", -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	db_release(a);
	db_release(b);
	assert_int_equal(db_prepare_kept(fx->db, &c, sql, &e), CL_OK);
	assert_ptr_equal(c, a); /* reset, bindings cleared */
	assert_int_equal(sqlite3_bind_parameter_count(c), 1);
	assert_int_equal(sqlite3_step(c), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(c, 0), 0);
	fx_expect("bad sql", db_prepare_kept(fx->db, &b, "SELEKT 1", &e), &e, CL_EDB, "syntax");
	db_release(c);
	/* closed with a statement still lent: db_close() finalizes it, else
	 * the connection stays open (a leak under make test SANITIZE=1) */
	assert_int_equal(db_open(fx->path, &db, &e), CL_OK);
	assert_int_equal(db_prepare_kept(db, &a, sql, &e), CL_OK);
	assert_ptr_equal(sqlite3_next_stmt(db, NULL), a);
	db_close(db);
}

/* A database at schema version 1, with one agency and one vendor in it.
 * OUT: fx->path. */
static void make_v1(Fixture *fx)
{
	const EmbeddedFile *init = embedded_find("migrations/0001_init.sql");
	sqlite3 *raw = NULL;

	assert_non_null(init);
	fx_temp_path(fx);
	assert_int_equal(sqlite3_open(fx->path, &raw), SQLITE_OK);
	assert_int_equal(fx_sql(raw, init->data), SQLITE_OK);
	assert_int_equal(
		fx_sql(raw, "PRAGMA user_version = 1;"
			    "INSERT INTO agency(code, name, kind, state, created_at) "
			    "VALUES ('USD259', 'Wichita USD 259', 'school_district', 'KS', "
			    "'2025-01-01T00:00:00Z');"
			    "INSERT INTO vendor(code, name, created_at) "
			    "VALUES ('V-PRAIRIE', 'Prairie Furniture', '2025-01-01T00:00:00Z');"),
		SQLITE_OK);
	sqlite3_close(raw);
}

/* Opening a populated version-1 database brings it to the latest version
 * and keeps what it held. */
static void test_populated_v1_upgraded(void **state)
{
	sqlite3 *db = NULL;
	Fixture fx;
	Err e = {0};

	(void)state;
	make_v1(&fx);
	fx_expect("upgrade", db_open(fx.path, &db, &e), &e, CL_OK, NULL);
	assert_int_equal(fx_int(db, "PRAGMA user_version"), db_schema_latest());
	assert_int_equal(fx_int(db, "SELECT count(*) FROM agency WHERE code = 'USD259' AND "
				    "name = 'Wichita USD 259'"),
			 1);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM vendor WHERE code = 'V-PRAIRIE'"), 1);
	/* later migrations' tables are there and usable */
	assert_int_equal(fx_int(db, "SELECT count(*) FROM vendor_column_map"), 0);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM rebate_snapshot"), 0);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM outbox"), 0);
	db_close(db);
	fx_unlink(fx.path);
}

/* A migration that fails is rolled back whole: the version stays where it
 * was, the data is as it was, and the message names the migration. */
static void test_failed_migration_rolled_back(void **state)
{
	sqlite3 *db = (sqlite3 *)1, *raw = NULL;
	Fixture fx;
	Err e = {0};

	(void)state;
	make_v1(&fx);
	/* a table in the way of 0002's CREATE TABLE makes that migration fail */
	assert_int_equal(sqlite3_open(fx.path, &raw), SQLITE_OK);
	assert_int_equal(fx_sql(raw, "CREATE TABLE vendor_column_map(x); "
				     "INSERT INTO vendor_column_map VALUES (42);"),
			 SQLITE_OK);
	sqlite3_close(raw);

	fx_expect("failed migration", db_open(fx.path, &db, &e), &e, CL_EDB,
		  "migrations/0002_vendor_column_map.sql failed");
	assert_null(db);
	assert_int_equal(sqlite3_open(fx.path, &raw), SQLITE_OK);
	assert_int_equal(db_int(raw, -1, "PRAGMA user_version", ""), 1);
	assert_int_equal(db_int(raw, -1, "SELECT x FROM vendor_column_map", ""), 42);
	assert_int_equal(db_int(raw, -1, "SELECT count(*) FROM agency", ""), 1);
	assert_int_equal(db_int(raw, -1,
				"SELECT count(*) FROM sqlite_master WHERE name = "
				"'rebate_snapshot'",
				""),
			 0);
	sqlite3_close(raw);
	fx_unlink(fx.path);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, fx_empty_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_fresh_database_reaches_latest),
		cmocka_unit_test(test_migrate_counts),
		DB_TEST(test_open_twice_applies_nothing),
		cmocka_unit_test(test_newer_database_refused_untouched),
		cmocka_unit_test(test_populated_v1_upgraded),
		cmocka_unit_test(test_failed_migration_rolled_back),
		DB_TEST(test_pragmas),
		DB_TEST(test_helpers_bind),
		DB_TEST(test_kept_statements),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
