/*
 * A SQLite VFS that writes each connection's WAL in large pieces.
 *
 * SQLite appends a transaction's pages to the WAL one frame at a time, each
 * frame as two pwrite calls (its 24-byte header, then the page), so a group of
 * intake alerts that dirties ~120 pages costs ~240 system calls, and the kernel
 * prepares and copies into the same page-cache pages two or three times over.
 * This VFS ("fq-wal") wraps the default one and, for WAL files only, gathers
 * writes that follow each other into one buffer per connection, written with
 * one call when the next write does not follow it, when it is full, and before
 * anything could depend on the bytes being in the file:
 *   - before the WAL is read, synced, truncated, sized, or closed through the
 *     same handle, or given a file-control;
 *   - with the last page of a transaction's commit frame (its header says it
 *     ends a commit), inside the write call, so that a failure fails the
 *     commit; a frame header written where the frame was just read back
 *     (SQLite rewriting the checksums of a transaction that wrote a page
 *     twice, which ends with the commit frame's header alone) is written at
 *     once for the same reason;
 *   - before any shared-memory call (lock, barrier, map, unmap) on the
 *     connection's database file, as a second guard. SQLite publishes a
 *     commit to other connections only by writing the WAL-index header, which
 *     it does around an xShmBarrier, after the frames; and a deferred-sync
 *     commit (fq_dbc_defer_sync) is synced by fq_db_wal_sync from another
 *     descriptor, which it reaches only after that publication.
 * Writing earlier than SQLite asked is never wrong; writing later would be, so
 * every path that lets the bytes be seen or made durable flushes first. The
 * order of writes to one file is kept (a write that does not follow the buffer
 * flushes it first). The database file, journals and temporary files go
 * straight through.
 *
 * The WAL file is matched to its database file with sqlite3_database_file_object
 * (SQLite 3.33 and later), which names the database file object of the
 * connection that opens the WAL.
 */
#ifndef FQ_DB_WAL_VFS_H
#define FQ_DB_WAL_VFS_H

#include <stdint.h>

#define FQ_WAL_VFS_NAME "fq-wal"

/* Register the VFS (not as the default). Idempotent, thread-safe. Returns a SQLite code. */
int fq_wal_vfs_register(void);

/* Counts since the process started, for tests and the benchmarks' figures. */
struct fq_wal_vfs_stats {
	uint64_t writes;  /* WAL writes SQLite asked for */
	uint64_t flushes; /* writes made to the file (gathered or passed through) */
	uint64_t late;	  /* gathered bytes still there at a shared-memory barrier */
};
void fq_wal_vfs_stats(struct fq_wal_vfs_stats *out);

#endif
