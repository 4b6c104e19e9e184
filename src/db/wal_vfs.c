/* The WAL-gathering VFS: see wal_vfs.h. */
#include "db/wal_vfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/banned.h"

/*
 * The most one buffer gathers: a group of intake alerts writes about a fifth
 * of it (~105 frames). A write that would pass it flushes what is gathered; one
 * larger than half of it goes straight through.
 */
#define GATHER_MAX (2u * 1024u * 1024u)
#define WRITE_MAX  (124u * 1024u)
#define FILE_MAGIC 0x66712d77616cULL /* "fq-wal" */

struct wfile {
	sqlite3_file base;	    /* pMethods = &methods */
	sqlite3_io_methods methods; /* the default VFS's version, our functions */
	uint64_t magic;
	sqlite3_file *real; /* the default VFS's file, after this struct */
	int is_wal;
	struct wfile *wal;  /* database file: its connection's open WAL, if any */
	struct wfile *main; /* WAL file: its connection's database file, if known */
	/* WAL file: bytes gathered for offset off, not yet written */
	unsigned char *buf;
	size_t len;
	sqlite3_int64 off;
	int commit_next;      /* the next write ends a transaction's commit frame */
	sqlite3_int64 reread; /* offset of the last read, -1 after any write */
};

#define REAL_OFFSET ((sizeof(struct wfile) + 15) & ~(size_t)15)

static sqlite3_vfs fq_vfs;
static sqlite3_vfs *base_vfs;
static int register_rc = SQLITE_ERROR;
static uint64_t count_writes, count_flushes, count_late;

static struct wfile *W(sqlite3_file *f)
{
	return (struct wfile *)f;
}

/*
 * Write n bytes at off; *done: how many reached the file. The default VFS writes at most
 * 128 KiB - 1 per call (its seekAndWrite masks the length to 17 bits): larger runs go in
 * pieces of WRITE_MAX.
 */
static int write_all(struct wfile *w, const void *p, size_t n, sqlite3_int64 off, size_t *done)
{
	const char *c = p;

	*done = 0;
	while (*done < n) {
		size_t k = n - *done < WRITE_MAX ? n - *done : WRITE_MAX;
		int rc = w->real->pMethods->xWrite(w->real, c + *done, (int)k,
						   off + (sqlite3_int64)*done);

		__atomic_add_fetch(&count_flushes, 1, __ATOMIC_RELAXED);
		if (rc != SQLITE_OK)
			return rc;
		*done += k;
	}
	return SQLITE_OK;
}

/*
 * Write what is gathered. On failure what did not reach the file stays gathered, so that
 * no later write or commit can pass over it: the next flush tries again, and the error
 * comes back from every call that needs the bytes in the file (the commit's among them)
 * until one succeeds.
 */
static int flush(struct wfile *w)
{
	size_t done;
	int rc;

	if (!w->len)
		return SQLITE_OK;
	rc = write_all(w, w->buf, w->len, w->off, &done);
	if (rc != SQLITE_OK && done) {
		memmove(w->buf, w->buf + done, w->len - done);
		w->off += (sqlite3_int64)done;
	}
	w->len -= done;
	return rc;
}

/*
 * Give up what is gathered, once nothing can need it: when the connection lets go of the
 * WAL's write lock or closes, a transaction that committed has written its frames (its
 * commit did), so what is left belongs to one that rolled back.
 */
static void discard(struct wfile *w)
{
	w->len = 0;
	w->commit_next = 0;
}

static int flush_wal_of(struct wfile *w)
{
	return w->wal ? flush(w->wal) : SQLITE_OK;
}

static int x_close(sqlite3_file *f)
{
	struct wfile *w = W(f);
	int rc = flush(w);
	int rc2;

	discard(w);
	if (w->main)
		w->main->wal = NULL;
	if (w->wal)
		w->wal->main = NULL;
	free(w->buf);
	w->buf = NULL;
	rc2 = w->real->pMethods->xClose(w->real);
	return rc != SQLITE_OK ? rc : rc2;
}

static int x_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	struct wfile *w = W(f);
	int rc = flush(w);

	w->reread = off;
	return rc != SQLITE_OK ? rc : w->real->pMethods->xRead(w->real, p, n, off);
}

/*
 * A WAL frame's 24-byte header holds, at bytes 4-7, the database's size in pages
 * after the commit when the frame ends a transaction, and 0 otherwise. SQLite
 * writes the header, then the page: after that page the transaction's frames are
 * all written, and they go to the file then, inside a call that can report an
 * error, before SQLite publishes the commit.
 */
static int commit_header(const void *p, int n)
{
	const unsigned char *h = p;

	return n == 24 && (h[4] | h[5] | h[6] | h[7]) != 0;
}

static int x_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct wfile *w = W(f);
	/*
	 * A frame header written where the frame was just read back: SQLite rewriting the
	 * checksums of a transaction that wrote a page twice (walRewriteChecksums reads each
	 * frame, then writes its header; the last one is the commit frame's, and no page
	 * follows it). Written at once, so that a failure fails the commit.
	 */
	int rewrite = n == 24 && off == w->reread;
	int ends_commit = w->commit_next;
	size_t done;
	int rc;

	if (!w->is_wal || n <= 0)
		return w->real->pMethods->xWrite(w->real, p, n, off);
	__atomic_add_fetch(&count_writes, 1, __ATOMIC_RELAXED);
	w->reread = -1;
	/* A rewritten header is followed by no page of its own. */
	w->commit_next = !rewrite && commit_header(p, n);
	if (w->len && off == w->off + (sqlite3_int64)w->len && w->len + (size_t)n <= GATHER_MAX &&
	    !rewrite) {
		memcpy(w->buf + w->len, p, (size_t)n);
		w->len += (size_t)n;
		return ends_commit ? flush(w) : SQLITE_OK;
	}
	if ((rc = flush(w)) != SQLITE_OK)
		return rc;
	/* Without memory for a buffer, the write goes through as the default VFS's would. */
	if (rewrite || (size_t)n > GATHER_MAX / 2 || (!w->buf && !(w->buf = malloc(GATHER_MAX))))
		return write_all(w, p, (size_t)n, off, &done);
	memcpy(w->buf, p, (size_t)n);
	w->len = (size_t)n;
	w->off = off;
	return ends_commit ? flush(w) : SQLITE_OK;
}

static int x_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct wfile *w = W(f);
	int rc = flush(w);

	return rc != SQLITE_OK ? rc : w->real->pMethods->xTruncate(w->real, size);
}

static int x_sync(sqlite3_file *f, int flags)
{
	struct wfile *w = W(f);
	int rc = flush(w);

	return rc != SQLITE_OK ? rc : w->real->pMethods->xSync(w->real, flags);
}

static int x_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct wfile *w = W(f);
	int rc = flush(w);

	return rc != SQLITE_OK ? rc : w->real->pMethods->xFileSize(w->real, size);
}

static int x_lock(sqlite3_file *f, int level)
{
	return W(f)->real->pMethods->xLock(W(f)->real, level);
}

static int x_unlock(sqlite3_file *f, int level)
{
	return W(f)->real->pMethods->xUnlock(W(f)->real, level);
}

static int x_check_reserved_lock(sqlite3_file *f, int *out)
{
	return W(f)->real->pMethods->xCheckReservedLock(W(f)->real, out);
}

static int x_file_control(sqlite3_file *f, int op, void *arg)
{
	struct wfile *w = W(f);
	int rc = flush(w);

	if (rc != SQLITE_OK)
		return rc;
	if (op == SQLITE_FCNTL_VFSNAME && arg) {
		/* As the multiplexor and vfslog shims do: name this layer before the one below. */
		rc = w->real->pMethods->xFileControl(w->real, op, arg);
		if (rc == SQLITE_OK) {
			char *below = *(char **)arg;
			*(char **)arg = sqlite3_mprintf("%s/%z", FQ_WAL_VFS_NAME, below);
		}
		return rc;
	}
	return w->real->pMethods->xFileControl(w->real, op, arg);
}

static int x_sector_size(sqlite3_file *f)
{
	return W(f)->real->pMethods->xSectorSize(W(f)->real);
}

static int x_device_characteristics(sqlite3_file *f)
{
	return W(f)->real->pMethods->xDeviceCharacteristics(W(f)->real);
}

/* Shared memory (database files): the connection's WAL bytes reach the file first. */
static int x_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **out)
{
	struct wfile *w = W(f);
	int rc = flush_wal_of(w);

	return rc != SQLITE_OK ? rc : w->real->pMethods->xShmMap(w->real, page, size, extend, out);
}

static int x_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	struct wfile *w = W(f);
	int rc = flush_wal_of(w);

	if (flags & SQLITE_SHM_UNLOCK) {
		/* An unlock always happens; bytes that cannot be written belong to a rollback. */
		if (rc != SQLITE_OK)
			discard(w->wal);
		return w->real->pMethods->xShmLock(w->real, offset, n, flags);
	}
	return rc != SQLITE_OK ? rc : w->real->pMethods->xShmLock(w->real, offset, n, flags);
}

static void x_shm_barrier(sqlite3_file *f)
{
	struct wfile *w = W(f);

	/*
	 * Normally nothing is left here: a commit's frames were written with its last page.
	 * xShmBarrier cannot fail, and SQLite may be about to publish the frames; a WAL that
	 * cannot take them must not be published, so a failure stops the process (the
	 * frames' checksums let the next open drop the unwritten commit, which was never
	 * acknowledged).
	 */
	if (w->wal && w->wal->len) {
		__atomic_add_fetch(&count_late, 1, __ATOMIC_RELAXED);
		if (flush(w->wal) != SQLITE_OK)
			fq_die("cannot write the WAL before publishing a commit");
	}
	w->real->pMethods->xShmBarrier(w->real);
}

static int x_shm_unmap(sqlite3_file *f, int delete_flag)
{
	struct wfile *w = W(f);
	int rc = flush_wal_of(w);
	int rc2;

	if (rc != SQLITE_OK)
		discard(w->wal); /* the connection is closing: see discard() */
	rc2 = w->real->pMethods->xShmUnmap(w->real, delete_flag);
	return rc != SQLITE_OK ? rc : rc2;
}

static int x_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	struct wfile *w = W(f);
	int rc = flush(w);

	return rc != SQLITE_OK ? rc : w->real->pMethods->xFetch(w->real, off, n, out);
}

static int x_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return W(f)->real->pMethods->xUnfetch(W(f)->real, off, p);
}

static const sqlite3_io_methods methods_template = {
    .iVersion = 3,
    .xClose = x_close,
    .xRead = x_read,
    .xWrite = x_write,
    .xTruncate = x_truncate,
    .xSync = x_sync,
    .xFileSize = x_file_size,
    .xLock = x_lock,
    .xUnlock = x_unlock,
    .xCheckReservedLock = x_check_reserved_lock,
    .xFileControl = x_file_control,
    .xSectorSize = x_sector_size,
    .xDeviceCharacteristics = x_device_characteristics,
    .xShmMap = x_shm_map,
    .xShmLock = x_shm_lock,
    .xShmBarrier = x_shm_barrier,
    .xShmUnmap = x_shm_unmap,
    .xFetch = x_fetch,
    .xUnfetch = x_unfetch,
};

static int x_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
		  int *out_flags)
{
	struct wfile *w = W(f);
	int version;
	int rc;

	(void)vfs;
	memset(w, 0, sizeof(*w));
	w->real = (sqlite3_file *)((char *)w + REAL_OFFSET);
	rc = base_vfs->xOpen(base_vfs, name, w->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		/* Our xClose is not called when pMethods is NULL: close what the base opened. */
		if (w->real->pMethods)
			w->real->pMethods->xClose(w->real);
		f->pMethods = NULL;
		return rc;
	}
	/* Offer only what the file below implements. */
	version = w->real->pMethods->iVersion;
	w->methods = methods_template;
	w->methods.iVersion = version < 3 ? version : 3;
	if (version < 2) {
		w->methods.xShmMap = NULL;
		w->methods.xShmLock = NULL;
		w->methods.xShmBarrier = NULL;
		w->methods.xShmUnmap = NULL;
	}
	if (version < 3) {
		w->methods.xFetch = NULL;
		w->methods.xUnfetch = NULL;
	}
	w->magic = FILE_MAGIC;
	w->reread = -1;
	if ((flags & SQLITE_OPEN_WAL) && name) {
		struct wfile *db = W(sqlite3_database_file_object(name));

		w->is_wal = 1;
		if (db && db->magic == FILE_MAGIC && !db->is_wal) {
			if (db->wal)
				db->wal->main = NULL;
			db->wal = w;
			w->main = db;
		}
	}
	f->pMethods = &w->methods;
	return SQLITE_OK;
}

/* The VFS's other functions are the default VFS's. */
static int x_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
	(void)v;
	return base_vfs->xDelete(base_vfs, name, sync_dir);
}

static int x_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return base_vfs->xAccess(base_vfs, name, flags, out);
}

static int x_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return base_vfs->xFullPathname(base_vfs, name, n, out);
}

static void *x_dl_open(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return base_vfs->xDlOpen(base_vfs, name);
}

static void x_dl_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	base_vfs->xDlError(base_vfs, n, out);
}

static void (*x_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return base_vfs->xDlSym(base_vfs, h, sym);
}

static void x_dl_close(sqlite3_vfs *v, void *h)
{
	(void)v;
	base_vfs->xDlClose(base_vfs, h);
}

static int x_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return base_vfs->xRandomness(base_vfs, n, out);
}

static int x_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return base_vfs->xSleep(base_vfs, us);
}

static int x_current_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return base_vfs->xCurrentTime(base_vfs, out);
}

static int x_get_last_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return base_vfs->xGetLastError ? base_vfs->xGetLastError(base_vfs, n, out) : 0;
}

static int x_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

static void register_once(void)
{
	base_vfs = sqlite3_vfs_find(NULL);
	if (!base_vfs || base_vfs->iVersion < 2 || !base_vfs->xCurrentTimeInt64)
		return;
	fq_vfs = (sqlite3_vfs){
	    .iVersion = 2,
	    .szOsFile = (int)REAL_OFFSET + base_vfs->szOsFile,
	    .mxPathname = base_vfs->mxPathname,
	    .zName = FQ_WAL_VFS_NAME,
	    .xOpen = x_open,
	    .xDelete = x_delete,
	    .xAccess = x_access,
	    .xFullPathname = x_full_pathname,
	    .xDlOpen = x_dl_open,
	    .xDlError = x_dl_error,
	    .xDlSym = x_dl_sym,
	    .xDlClose = x_dl_close,
	    .xRandomness = x_randomness,
	    .xSleep = x_sleep,
	    .xCurrentTime = x_current_time,
	    .xGetLastError = x_get_last_error,
	    .xCurrentTimeInt64 = x_current_time_int64,
	};
	register_rc = sqlite3_vfs_register(&fq_vfs, 0);
}

int fq_wal_vfs_register(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, register_once);
	return register_rc;
}

void fq_wal_vfs_stats(struct fq_wal_vfs_stats *out)
{
	out->writes = __atomic_load_n(&count_writes, __ATOMIC_RELAXED);
	out->flushes = __atomic_load_n(&count_flushes, __ATOMIC_RELAXED);
	out->late = __atomic_load_n(&count_late, __ATOMIC_RELAXED);
}
