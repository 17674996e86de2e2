/*
 * faultvfs.h — a SQLite VFS for tests that makes disk operations fail on
 * demand, as SQLite's own test VFS does.
 *
 * faultvfs_install() wraps the default VFS and becomes the default, so
 * every database opened afterwards goes through it.  Unarmed, it only
 * passes calls on.  Armed with faultvfs_arm(kind, n), it counts the calls
 * of that kind from then on, and the n-th one and every later one fail
 * (a disk that has failed stays failed) until faultvfs_disarm().
 *
 * The file is compiled into the one test that uses it by #include of
 * faultvfs.c.
 */
#ifndef COOPLEDGER_TEST_FAULTVFS_H
#define COOPLEDGER_TEST_FAULTVFS_H

typedef enum {
	FAULT_READ = 0, /* xRead: fails with SQLITE_IOERR_READ */
	FAULT_WRITE,	/* xWrite and xTruncate: SQLITE_IOERR_WRITE / _TRUNCATE */
	FAULT_SYNC,	/* xSync: SQLITE_IOERR_FSYNC */
	FAULT__KINDS
} FaultKind;

/* Register the VFS as the default (once; later calls do nothing).
 * Returns a SQLite result code. */
int faultvfs_install(void);

/* Count calls of every kind from zero again, and make the n-th call of
 * kind and all later ones fail; n = 0 only counts. */
void faultvfs_arm(FaultKind kind, int n);

/* Stop failing and stop counting; the counts stay readable. */
void faultvfs_disarm(void);

/* Calls of kind between faultvfs_arm() and faultvfs_disarm(). */
int faultvfs_count(FaultKind kind);

/* Calls made to fail since faultvfs_arm(). */
int faultvfs_failed(void);

/* Files open through the VFS now (a connection that could not be closed
 * keeps its files open). */
int faultvfs_open_files(void);

const char *faultvfs_kind_name(FaultKind kind);

#endif
