/*
 * faultvfs.c — the fault-injecting test VFS; see faultvfs.h.
 *
 * Every file the default VFS opens is wrapped: the wrapper's sqlite3_file
 * is followed in memory by the real one, and each method calls the real
 * file's.  xRead, xWrite, xTruncate and xSync count and may fail; the rest
 * (locks, file size, the WAL's shared memory xShm*) pass through.  xSync
 * never calls the real one (see fault_sync).  The wrapper offers
 * io_methods version 2, without xFetch, so SQLite never memory-maps a file
 * and every page it reads is an xRead.
 */
#include "faultvfs.h"

#include <sqlite3.h>
#include <string.h>

typedef struct FaultFile {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
} FaultFile;

static struct {
	sqlite3_vfs *real;
	int armed;
	FaultKind kind;
	int at;			 /* the call that fails first; 0: none */
	int count[FAULT__KINDS]; /* calls since arming */
	int failed;
	int open_files;
} fault;

static sqlite3_vfs fault_vfs;

/* Count a call of kind; 1 if it must fail. */
static int fault_hit(FaultKind kind)
{
	if (!fault.armed)
		return 0;
	fault.count[kind]++;
	if (kind != fault.kind || !fault.at || fault.count[kind] < fault.at)
		return 0;
	fault.failed++;
	return 1;
}

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((FaultFile *)f)->real;
}

static int fault_close(sqlite3_file *f)
{
	int rc = real_of(f)->pMethods->xClose(real_of(f));

	fault.open_files--;
	return rc;
}

static int fault_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	if (fault_hit(FAULT_READ))
		return SQLITE_IOERR_READ;
	return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}

static int fault_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (fault_hit(FAULT_WRITE))
		return SQLITE_IOERR_WRITE;
	return real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
}

static int fault_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (fault_hit(FAULT_WRITE))
		return SQLITE_IOERR_TRUNCATE;
	return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

/* A sync that succeeds does not reach the disk: the tests read the files
 * back through the system's page cache and never lose power, and a
 * thousand flushes would only make them slow. */
static int fault_sync(sqlite3_file *f, int flags)
{
	(void)f;
	(void)flags;
	if (fault_hit(FAULT_SYNC))
		return SQLITE_IOERR_FSYNC;
	return SQLITE_OK;
}

static int fault_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int fault_lock(sqlite3_file *f, int level)
{
	return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int fault_unlock(sqlite3_file *f, int level)
{
	return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int fault_check_reserved(sqlite3_file *f, int *out)
{
	return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int fault_file_control(sqlite3_file *f, int op, void *arg)
{
	return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int fault_sector_size(sqlite3_file *f)
{
	return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int fault_device(sqlite3_file *f)
{
	return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int fault_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **p)
{
	return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, p);
}

static int fault_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void fault_shm_barrier(sqlite3_file *f)
{
	real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int fault_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

static const sqlite3_io_methods fault_io = {
	.iVersion = 2,
	.xClose = fault_close,
	.xRead = fault_read,
	.xWrite = fault_write,
	.xTruncate = fault_truncate,
	.xSync = fault_sync,
	.xFileSize = fault_file_size,
	.xLock = fault_lock,
	.xUnlock = fault_unlock,
	.xCheckReservedLock = fault_check_reserved,
	.xFileControl = fault_file_control,
	.xSectorSize = fault_sector_size,
	.xDeviceCharacteristics = fault_device,
	.xShmMap = fault_shm_map,
	.xShmLock = fault_shm_lock,
	.xShmBarrier = fault_shm_barrier,
	.xShmUnmap = fault_shm_unmap,
};

static int fault_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	FaultFile *ff = (FaultFile *)f;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)&ff[1];
	memset(ff->real, 0, (size_t)fault.real->szOsFile);
	rc = fault.real->xOpen(fault.real, name, ff->real, flags, out);
	/* SQLite calls xClose after a failed open only if pMethods is set */
	ff->base.pMethods = ff->real->pMethods ? &fault_io : NULL;
	if (ff->base.pMethods)
		fault.open_files++;
	return rc;
}

static int fault_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return fault.real->xDelete(fault.real, name, sync_dir);
}

static int fault_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return fault.real->xAccess(fault.real, name, flags, out);
}

static int fault_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return fault.real->xFullPathname(fault.real, name, n, out);
}

static void *fault_dl_open(sqlite3_vfs *vfs, const char *path)
{
	(void)vfs;
	return fault.real->xDlOpen(fault.real, path);
}

static void fault_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
	(void)vfs;
	fault.real->xDlError(fault.real, n, msg);
}

static void (*fault_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return fault.real->xDlSym(fault.real, h, sym);
}

static void fault_dl_close(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	fault.real->xDlClose(fault.real, h);
}

static int fault_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return fault.real->xRandomness(fault.real, n, out);
}

static int fault_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return fault.real->xSleep(fault.real, us);
}

static int fault_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return fault.real->xCurrentTime(fault.real, out);
}

static int fault_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return fault.real->xGetLastError ? fault.real->xGetLastError(fault.real, n, out) : 0;
}

static int fault_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return fault.real->xCurrentTimeInt64(fault.real, out);
}

int faultvfs_install(void)
{
	if (fault.real)
		return SQLITE_OK;
	fault.real = sqlite3_vfs_find(NULL);
	if (!fault.real || fault.real->iVersion < 2)
		return SQLITE_ERROR;
	fault_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(FaultFile) + fault.real->szOsFile,
		.mxPathname = fault.real->mxPathname,
		.zName = "faultvfs",
		.xOpen = fault_open,
		.xDelete = fault_delete,
		.xAccess = fault_access,
		.xFullPathname = fault_full_pathname,
		.xDlOpen = fault_dl_open,
		.xDlError = fault_dl_error,
		.xDlSym = fault_dl_sym,
		.xDlClose = fault_dl_close,
		.xRandomness = fault_randomness,
		.xSleep = fault_sleep,
		.xCurrentTime = fault_current_time,
		.xGetLastError = fault_last_error,
		.xCurrentTimeInt64 = fault_current_time64,
	};
	return sqlite3_vfs_register(&fault_vfs, 1);
}

void faultvfs_arm(FaultKind kind, int n)
{
	memset(fault.count, 0, sizeof fault.count);
	fault.failed = 0;
	fault.kind = kind;
	fault.at = n;
	fault.armed = 1;
}

void faultvfs_disarm(void)
{
	fault.armed = 0;
}

int faultvfs_count(FaultKind kind)
{
	return fault.count[kind];
}

int faultvfs_failed(void)
{
	return fault.failed;
}

int faultvfs_open_files(void)
{
	return fault.open_files;
}

const char *faultvfs_kind_name(FaultKind kind)
{
	static const char *const names[FAULT__KINDS] = {"read", "write", "sync"};

	return names[kind];
}
