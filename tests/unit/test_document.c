/*
 * test_document.c — unit tests of core/document.c (DOMAIN.md section 7):
 * a real PDF is kept under DATABASE.documents named by its SHA-256 with
 * its row and an audit entry holding that SHA-256; a truncated PDF, a
 * JPEG, an empty file and a file of 20 MiB + 1 byte are refused; a
 * database that fails leaves no file behind; whether a document is public
 * changes only through an audited call.
 *
 * The PDFs are tests/data/documents/{award,price-list}.pdf, one page each.
 * Their SHA-256 and sizes, from `sha256sum` and `ls -l`:
 *   award.pdf       729 bytes
 *     278746ad9ad207c1e45325805c7ce1aace68a4212e8dea9f1c6539ebcddb0cca
 *   price-list.pdf  711 bytes
 *     6ba3e7f4025f1ab190d3cf72bd848adef35f06ee9114c0867064f6f932ef05ae
 */
#include <dirent.h>

#include "document.h"
#include "fixture.h"

#define AWARD_SHA "278746ad9ad207c1e45325805c7ce1aace68a4212e8dea9f1c6539ebcddb0cca"
#define PRICE_SHA "6ba3e7f4025f1ab190d3cf72bd848adef35f06ee9114c0867064f6f932ef05ae"

/* The bytes of tests/data/documents/NAME (caller frees).  OUT: *len. */
static unsigned char *slurp(const char *name, size_t *len)
{
	char path[256];
	unsigned char *p = malloc(1 << 16);
	FILE *f;

	snprintf(path, sizeof path, "tests/data/documents/%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(p);
	*len = fread(p, 1, 1 << 16, f);
	fclose(f);
	return p;
}

/* Files in the documents folder of fx's database (0 when it is absent). */
static int files_kept(Fixture *fx)
{
	char dir[DOCUMENT_PATH_MAX];
	struct dirent *d;
	DIR *h;
	int n = 0;
	Err e = {0};

	assert_int_equal(document_dir(fx->db, dir, sizeof dir, &e), CL_OK);
	if (!(h = opendir(dir)))
		return 0;
	while ((d = readdir(h)))
		n += strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
	closedir(h);
	return n;
}

/* Remove the documents folder and what is in it. */
static int documents_teardown(void **state)
{
	Fixture *fx = *state;
	char dir[DOCUMENT_PATH_MAX], path[DOCUMENT_PATH_MAX + 300];
	struct dirent *d;
	DIR *h;
	Err e = {0};

	if (document_dir(fx->db, dir, sizeof dir, &e) == CL_OK && (h = opendir(dir))) {
		while ((d = readdir(h)))
			if (d->d_name[0] != '.' || strlen(d->d_name) > 2) {
				snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
				unlink(path);
			}
		closedir(h);
		rmdir(dir);
	}
	return fx_teardown(state);
}

static DocumentIn award_in(void)
{
	DocumentIn in = {.contract = "KS-1",
			 .kind = "award",
			 .title = "Award of KS-1",
			 .file_name = "KS-1 award.pdf",
			 .is_public = 1,
			 .actor = FX_ACTOR};
	return in;
}

static void test_real_pdf_kept(void **state)
{
	Fixture *fx = *state;
	DocumentIn in = award_in();
	size_t len;
	unsigned char *pdf = slurp("award.pdf", &len), back[1024];
	char sizes[32];
	int64_t id = 0;
	Document d;
	RowSet rs;
	FILE *f;
	Err e = {0};

	assert_int_equal(len, 729);
	fx_expect("add", document_add(fx->db, &in, pdf, len, &id, &e), &e, CL_OK, NULL);
	assert_true(id > 0);
	fx_expect("get", document_get(fx->db, "KS-1", id, &d, &e), &e, CL_OK, NULL);
	assert_string_equal(d.sha256, AWARD_SHA);
	assert_int_equal(d.size, 729);
	assert_string_equal(d.file_name, "KS-1_award.pdf"); /* the blank made safe */
	assert_true(strstr(d.path, ".documents/" AWARD_SHA ".pdf") != NULL);
	/* the kept file holds the same bytes */
	f = fopen(d.path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(back, 1, sizeof back, f), 729);
	fclose(f);
	assert_memory_equal(back, pdf, 729);
	assert_int_equal(files_kept(fx), 1); /* no temporary file left */
	/* the audit entry holds the SHA-256 */
	assert_int_equal(fx_int(fx->db,
				"SELECT count(*) FROM audit_log WHERE action = "
				"'document.add' AND json_extract(after, '$.sha256') = '" AWARD_SHA
				"' AND json_extract(after, '$.size') = 729"),
			 1);
	fx_expect("list", document_list(fx->db, "KS-1", 1, &rs, &e), &e, CL_OK, NULL);
	assert_int_equal(rs.nrow, 1);
	assert_string_equal(rowset_text(&rs, 0, "kind"), "award");
	assert_string_equal(rowset_text(&rs, 0, "uploaded_by"), FX_ACTOR);
	rowset_free(&rs);
	/* 729 bytes < 1,024: in bytes; (20,971,520*10 + 2^19) / 2^20 = 200 -> 20.0 MB */
	assert_string_equal(document_size_words(729, sizes, sizeof sizes), "729 bytes");
	assert_string_equal(document_size_words(1536, sizes, sizeof sizes), "2 KB");
	assert_string_equal(document_size_words(DOCUMENT_MAX_BYTES, sizes, sizeof sizes),
			    "20.0 MB");
	/* 2,516,582 bytes = 2.4 MiB exactly -> 24 tenths */
	assert_string_equal(document_size_words(2516582, sizes, sizeof sizes), "2.4 MB");
	/* the same file twice on one contract is refused and keeps one row */
	fx_expect("again", document_add(fx->db, &in, pdf, len, &id, &e), &e, CL_ECONFLICT,
		  "attached to contract KS-1 already");
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM contract_document"), 1);
	assert_int_equal(files_kept(fx), 1);
	free(pdf);
}

/* Each refusal leaves no row, no audit entry and no file. */
static void test_refusals(void **state)
{
	Fixture *fx = *state;
	DocumentIn in = award_in();
	size_t len;
	unsigned char *pdf = slurp("award.pdf", &len), *big;
	static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J',  'F',
					     'I',  'F',	 0x00, 0x01, 0x01, 0x00, 0x00, 0x01};
	int64_t audits = fx_int(fx->db, "SELECT count(*) FROM audit_log"), id;
	Err e = {0};
	FILE *f;

	/* the first 400 of 729 bytes: "%PDF-" but no xref, trailer or %%EOF */
	fx_expect("truncated", document_add(fx->db, &in, pdf, 400, &id, &e), &e, CL_EINPUT,
		  "not a readable PDF");
	fx_expect("jpeg", document_add(fx->db, &in, jpeg, sizeof jpeg, &id, &e), &e, CL_EINPUT,
		  "not a PDF");
	fx_expect("empty", document_add(fx->db, &in, pdf, 0, &id, &e), &e, CL_EINPUT, "empty");
	fx_expect("garbage",
		  document_add(fx->db, &in, "%PDF-1.7\nnothing here\n%%EOF\n", 28, &id, &e), &e,
		  CL_EINPUT, "not a readable PDF");
	/* 20 MiB + 1 byte, from memory and from a file */
	big = calloc(1, (size_t)DOCUMENT_MAX_BYTES + 1);
	assert_non_null(big);
	memcpy(big, pdf, len);
	fx_expect("big", document_add(fx->db, &in, big, (size_t)DOCUMENT_MAX_BYTES + 1, &id, &e),
		  &e, CL_ENOMEM, "larger than 20 MiB (20971521 bytes)");
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, (size_t)DOCUMENT_MAX_BYTES + 1, f),
			 (size_t)DOCUMENT_MAX_BYTES + 1);
	rewind(f);
	fx_expect("big file", document_add_file(fx->db, &in, f, &id, &e), &e, CL_ENOMEM,
		  "at most 20971520 bytes");
	fclose(f);
	/* a pipe's size is not known ahead: refused as it passes the limit */
	f = fmemopen(big, (size_t)DOCUMENT_MAX_BYTES + 1, "r");
	assert_non_null(f);
	fx_expect("big stream", document_add_file(fx->db, &in, f, &id, &e), &e, CL_ENOMEM,
		  "larger than 20 MiB");
	fclose(f);
	free(big);
	in.kind = "brochure";
	fx_expect("kind", document_add(fx->db, &in, pdf, len, &id, &e), &e, CL_EINPUT,
		  "kind: \"brochure\" is not a kind");
	in = award_in();
	in.title = "";
	fx_expect("title", document_add(fx->db, &in, pdf, len, &id, &e), &e, CL_EINPUT,
		  "title: a document needs a title");
	in.title = "line\nbreak";
	fx_expect("title line", document_add(fx->db, &in, pdf, len, &id, &e), &e, CL_EINPUT,
		  "title");
	in = award_in();
	in.contract = "NOPE-9";
	fx_expect("contract", document_add(fx->db, &in, pdf, len, &id, &e), &e, CL_ENOTFOUND,
		  "no contract NOPE-9");
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM contract_document"), 0);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log"), audits);
	assert_int_equal(files_kept(fx), 0);
	free(pdf);
}

/* The audit log refuses the entry: the row rolls back and the stored file
 * is removed again. */
static void test_database_failure_leaves_no_file(void **state)
{
	Fixture *fx = *state;
	DocumentIn in = award_in();
	size_t len;
	unsigned char *pdf = slurp("award.pdf", &len);
	int64_t id;
	Err e = {0};

	assert_int_equal(fx_sql(fx->db, "CREATE TEMP TRIGGER refuse BEFORE INSERT ON audit_log "
					"BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"),
			 SQLITE_OK);
	fx_expect("add", document_add(fx->db, &in, pdf, len, &id, &e), &e, CL_ECONFLICT, NULL);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM contract_document"), 0);
	assert_int_equal(files_kept(fx), 0);
	/* once the database works again the same file goes in */
	assert_int_equal(fx_sql(fx->db, "DROP TRIGGER temp.refuse"), SQLITE_OK);
	fx_expect("add", document_add(fx->db, &in, pdf, len, &id, &e), &e, CL_OK, NULL);
	assert_int_equal(files_kept(fx), 1);
	free(pdf);
}

/* A file shared by two contracts stays when the second one's row fails. */
static void test_shared_file_stays(void **state)
{
	Fixture *fx = *state;
	DocumentIn in = award_in();
	size_t len;
	unsigned char *pdf = slurp("price-list.pdf", &len);
	int64_t id;
	Err e = {0};

	in.kind = "price_list";
	in.is_public = 0;
	fx_expect("KS-1", document_add(fx->db, &in, pdf, len, &id, &e), &e, CL_OK, NULL);
	assert_int_equal(fx_sql(fx->db, "CREATE TEMP TRIGGER refuse BEFORE INSERT ON audit_log "
					"BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"),
			 SQLITE_OK);
	in.contract = "KS-T";
	assert_int_not_equal(document_add(fx->db, &in, pdf, len, &id, &e), CL_OK);
	assert_int_equal(files_kept(fx), 1);
	assert_int_equal(fx_int(fx->db,
				"SELECT count(*) FROM contract_document WHERE sha256 = '" PRICE_SHA
				"'"),
			 1);
	free(pdf);
}

static void test_visibility_audited(void **state)
{
	Fixture *fx = *state;
	DocumentIn in = award_in();
	size_t len;
	unsigned char *pdf = slurp("price-list.pdf", &len);
	int64_t id, audits;
	RowSet rs;
	Err e = {0};

	in.kind = "price_list";
	in.is_public = 0;
	in.file_name = "../../etc/.passwd";
	fx_expect("add", document_add(fx->db, &in, pdf, len, &id, &e), &e, CL_OK, NULL);
	/* folders and the leading dot dropped, ".pdf" added */
	assert_int_equal(
		fx_int(fx->db,
		       "SELECT count(*) FROM contract_document WHERE file_name = 'passwd.pdf'"),
		1);
	fx_expect("public list", document_list(fx->db, "KS-1", 1, &rs, &e), &e, CL_OK, NULL);
	assert_int_equal(rs.nrow, 0); /* staff-only: not in the public list */
	rowset_free(&rs);
	audits = fx_int(fx->db, "SELECT count(*) FROM audit_log");
	fx_expect("public", document_set_public(fx->db, "KS-1", id, 1, FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	fx_expect("again", document_set_public(fx->db, "KS-1", id, 1, FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	/* one change, one entry: setting what it is already writes nothing */
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log"), audits + 1);
	assert_int_equal(fx_int(fx->db,
				"SELECT count(*) FROM audit_log WHERE action = "
				"'document.visibility' AND json_extract(after, '$.public') = 1"),
			 1);
	fx_expect("public list", document_list(fx->db, "KS-1", 1, &rs, &e), &e, CL_OK, NULL);
	assert_int_equal(rs.nrow, 1);
	rowset_free(&rs);
	fx_expect("other contract", document_set_public(fx->db, "KS-T", id, 0, FX_ACTOR, &e), &e,
		  CL_ENOTFOUND, "has no document");
	/* the row itself is never changed or deleted */
	assert_int_not_equal(
		fx_sql(fx->db, "UPDATE contract_document SET sha256 = '" AWARD_SHA "'"), SQLITE_OK);
	assert_int_not_equal(fx_sql(fx->db, "DELETE FROM contract_document"), SQLITE_OK);
	free(pdf);
}

#define DOC_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, documents_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DOC_TEST(test_real_pdf_kept),
		DOC_TEST(test_refusals),
		DOC_TEST(test_database_failure_leaves_no_file),
		DOC_TEST(test_shared_file_stays),
		DOC_TEST(test_visibility_audited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
