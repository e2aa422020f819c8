//! The batches of a maintenance run ([`Store::write_purge`](crate::store::Store::write_purge))
//! on a connection of their own, opened for the run and closed at its end.
//!
//! What a purge batch costs is mostly the disk, not the rows: with the store's
//! `synchronous=FULL`, every commit waits for an fsync of the WAL, and as each batch of random
//! deletes dirties about one page of each secondary index per row, the WAL passes SQLite's
//! automatic checkpoint at almost every commit, which writes the pages back and waits for two
//! more fsyncs. So the purge connection:
//! - commits with `synchronous=NORMAL` (`OFF` if the store is opened so). In WAL mode a power
//!   cut may then lose the last commits but never corrupts the file (the WAL is synced before
//!   each checkpoint and the file before the WAL is reused). A lost batch is harmless: the rows
//!   it removed are ones no flow tells from absent ones (`run_maintenance`'s rule), and the
//!   next run removes them again;
//! - never checkpoints at a commit (`wal_autocheckpoint=0`): between batches, once they have
//!   changed [`CHECKPOINT_ROWS`] rows since the last one, a `PASSIVE` checkpoint copies the WAL
//!   back outside any transaction (holding no write lock: other writers go on meanwhile), so an
//!   index page rewritten by many batches is written to the file once, and the WAL stays
//!   bounded (each removed row dirties about one page per secondary index: at most ~32,000
//!   4 KiB frames, ~130 MB, were measured with this threshold and batches of 1,000);
//! - has a large page cache (the store's `bulk_cache_kib`), so the index pages that successive
//!   batches touch stay in memory instead of being read back;
//! - keeps `secure_delete=ON`: the removed rows are zeroed in their pages.
//!
//! When the run ends (also after a failed batch), the connection is closed and the writer
//! checkpoints the WAL with the store's own `synchronous` and truncates it (as after an
//! erasure, retried in the background if a reader keeps it back): then the run is durable and
//! no page image of a removed row is left in the WAL. A link erased from a pending mail by the
//! token purge thus leaves the WAL at the end of the run rather than at its batch; a crash in
//! between leaves it there until the next checkpoint, as a crash between any erasure's commit
//! and its truncation does.
//!
//! A purge of tokens or sessions that is mostly a backlog sets the table's index by account
//! aside for its length (`SqliteTx::set_aside_step`, called by the purges in `lifecycle.rs`).
//!
//! An in-memory store has no WAL: its batches are ordinary writes.

use super::pool::check_identity;
use super::{Rollback, SqliteStore, SqliteTx, Synchronous, storage};
use crate::lifecycle::{PurgeBatch, PurgeCursor};
use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags, params};
use std::path::Path;
use std::sync::PoisonError;

/// How many rows the purge batches change between two checkpoints of the purge connection.
/// Measured on the `maintenance` example (100,000 accounts, 1,000,000 rows to remove, batches
/// of 1,000): a checkpoint every ~16,000 rows spent 4.4 s checkpointing, every ~64,000 rows
/// 2.6-3.3 s (an index page is rewritten by more batches between two checkpoints, and written
/// back once), while never checkpointing made every batch slower (SQLite searches the WAL's
/// index of frames, growing, at each page read) and left a multi-gigabyte WAL.
pub(super) const CHECKPOINT_ROWS: u64 = 32_768;

/// The secondary index of each table whose purge may set it aside (see
/// [`SqliteTx::set_aside_step`]), as the schema defines it.
const PURGE_INDEXES: [(&str, &str, &str); 2] = [
    (
        "tokens",
        "tokens_account",
        "CREATE INDEX IF NOT EXISTS tokens_account ON tokens (account, purpose, issued_at)",
    ),
    (
        "sessions",
        "sessions_account",
        "CREATE INDEX IF NOT EXISTS sessions_account ON sessions (account)",
    ),
];

/// A purge sets its table's secondary index aside when its first batch's range holds at least
/// this many rows, at least [`SET_ASIDE_DEAD_PERCENT`]% of them to remove.
pub(super) const SET_ASIDE_SAMPLE: usize = 256;
/// See [`SET_ASIDE_SAMPLE`].
pub(super) const SET_ASIDE_DEAD_PERCENT: usize = 90;

/// The table whose rows of zeros overwrite the free pages after an index is set aside.
const SCRATCH: &str = "purge_scratch";
/// How many free pages one batch overwrites (4 MiB with 4 KiB pages).
const ZERO_PAGES: i64 = 1024;
/// The cursors of a purge that set its index aside: zeroing the free pages, releasing them,
/// then deleting from the start (one byte, before every 32-byte digest).
const ZEROING: u8 = 0xFF;
const RELEASING: u8 = 0xFE;
const DELETING: u8 = 0x00;

/// The cursor of a zeroing batch: [`ZEROING`], then the free list's floor (big-endian).
fn zeroing(floor: i64) -> PurgeCursor {
    let mut cursor = vec![ZEROING];
    cursor.extend_from_slice(&floor.to_be_bytes());
    PurgeCursor(cursor)
}

/// The floor in a [`zeroing`] cursor; 0 (every free page) if it holds none.
fn floor_of(bytes: &[u8]) -> i64 {
    <[u8; 8]>::try_from(bytes).map_or(0, i64::from_be_bytes)
}

/// Recreates the purge indexes that a run interrupted (a crash, a failed batch) left dropped;
/// nothing when they exist.
pub(super) fn restore_purge_indexes(conn: &Connection) -> Result<()> {
    for (_, _, create) in PURGE_INDEXES {
        conn.execute_batch(create)
            .map_err(storage("cannot restore an index"))?;
    }
    Ok(())
}

impl SqliteTx<'_> {
    /// Called first by the purges of `table` (tokens, sessions); `Some` when this batch is one
    /// of setting the index aside, `None` when the purge deletes as usual from `from`.
    ///
    /// A purge that removes most of its table (a backlog: a year of ended sessions) would
    /// write one random page of the table's index by account per removed row, since the
    /// index's order has no relation to the digest order the purge walks: about 950 pages per
    /// batch of 1,000. So when the first batch's range (a uniform sample: digests are random)
    /// holds [`SET_ASIDE_SAMPLE`] rows or more, [`SET_ASIDE_DEAD_PERCENT`]% or more of them to
    /// remove (`ended`: the purge's condition, `?3` being `now`), that batch drops the index
    /// instead, without zeroing its pages (zeroing them all at once would hold the write lock
    /// for time proportional to the index: 68 ms for 310,000 links here). The next batches
    /// ([`ZEROING`]) overwrite every free page with zeros, [`ZERO_PAGES`] at a time, by taking
    /// them into rows of `zeroblob` in a scratch table until none is free, then
    /// ([`RELEASING`]) delete those rows one at a time, and the purge then deletes from the
    /// start ([`DELETING`]), touching only the table's pages, contiguous in digest order.
    /// [`restore_index`](Self::restore_index) builds the index again at the last batch, over
    /// the rows left (a tenth or less of the table). Meanwhile lookups by account scan the
    /// table: the same answers, slower, for the length of the purge. A run that stops early
    /// leaves the index dropped until the run ends or the store opens again
    /// ([`restore_purge_indexes`]), and the scratch table (with free pages not yet zeroed)
    /// until the next purge of tokens or sessions, which zeroes the free pages before anything
    /// else.
    pub(super) fn set_aside_step(
        &mut self,
        table: &str,
        ended: &str,
        from: &PurgeCursor,
        now: i64,
        limit: usize,
    ) -> Result<Option<PurgeBatch>> {
        let Some((_, index, _)) = PURGE_INDEXES.iter().find(|(t, ..)| *t == table) else {
            return Ok(None);
        };
        match from.0.as_slice() {
            // Left by a run stopped while zeroing: which free pages were the index's is no
            // longer known, so every free page is zeroed.
            [] if self.scratch_exists()? => self.zero_free_pages(0).map(Some),
            [] => {
                let (examined, last) =
                    self.batch_range::<Vec<u8>>(table, "digest", &from.0.as_slice(), limit)?;
                let Some(last) = last else {
                    return Ok(None);
                };
                if examined < SET_ASIDE_SAMPLE {
                    return Ok(None);
                }
                let dead: i64 = self
                    .conn
                    .prepare_cached(&format!(
                        "SELECT count(*) FROM {table} WHERE digest > ?1 AND digest <= ?2 \
                         AND {ended}"
                    ))
                    .and_then(|mut s| s.query_row(params![&[] as &[u8], last, now], |r| r.get(0)))
                    .map_err(storage("cannot read a purge batch"))?;
                if usize::try_from(dead).unwrap_or(0) * 100 < examined * SET_ASIDE_DEAD_PERCENT {
                    return Ok(None);
                }
                // Dropped without zeroing (which would hold the write lock for the whole
                // index): its pages go to the free list as they are, and the next batches
                // overwrite them with zeros, a bounded number at a time, down to `floor`.
                let floor = self.free_list_floor()?;
                self.conn
                    .execute_batch(&format!(
                        "PRAGMA secure_delete = OFF; DROP INDEX IF EXISTS {index};
                         PRAGMA secure_delete = ON;
                         CREATE TABLE IF NOT EXISTS {SCRATCH} (id INTEGER PRIMARY KEY, zeros BLOB);"
                    ))
                    .map_err(storage("cannot set an index aside"))?;
                Ok(Some(PurgeBatch {
                    removed: 0,
                    next: Some(zeroing(floor)),
                }))
            }
            // (A digest, 32 bytes, may start with the same byte.)
            [ZEROING, floor @ ..] if floor.len() == 8 => {
                self.zero_free_pages(floor_of(floor)).map(Some)
            }
            [RELEASING] => self.release_zeroed_pages().map(Some),
            _ => Ok(None),
        }
    }

    fn scratch_exists(&mut self) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                [SCRATCH],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(storage("cannot read the schema"))
    }

    fn pragma_i64(&mut self, name: &str) -> Result<i64> {
        self.conn
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .map_err(storage("cannot read the free pages"))
    }

    /// How many free pages, before the index is dropped, are certainly not handed out before
    /// any of the index's: the zeroing stops once the free list is down to that many.
    ///
    /// SQLite's free list is a stack of trunk pages, each listing up to `usable/4 - 8` free
    /// leaf pages (btree.c, `freePage2`): a freed page is added to the first trunk if it has
    /// room, or else becomes the new first trunk. A page is always taken from the first trunk
    /// (`allocateBtreePage`, without auto-vacuum): one of its leaves (the closest to the
    /// caller's hint), or the trunk itself once it lists none. So the pages the drop frees all
    /// sit in the trunks it adds and in the first trunk before it, and none of the trunks
    /// under that one is touched before those are all taken: they are at least the pages free
    /// before the drop less one whole trunk (its leaves and itself). Pages freed meanwhile by
    /// other writers go on top (zeroed by their `secure_delete`) and only make the zeroing
    /// take more. (A page another writer takes from the list meanwhile leaves it unzeroed by
    /// the purge, as when the zeroing went on until no page was free: a leaf comes to it zeroed
    /// and is written whole, but a trunk page made the last, partly written page of an
    /// overflow chain keeps the rest of the index's bytes; not addressed here.)
    fn free_list_floor(&mut self) -> Result<i64> {
        let free = self.pragma_i64("freelist_count")?;
        let trunk = self.pragma_i64("page_size")? / 4 - 7;
        Ok((free - trunk).max(0))
    }

    /// One step of zeroing the free pages: up to [`ZERO_PAGES`] of them taken into a row of
    /// zeros (each page written whole), newest first; once only `floor` are free, the rows are
    /// released.
    fn zero_free_pages(&mut self, floor: i64) -> Result<PurgeBatch> {
        let free = self.pragma_i64("freelist_count")? - floor;
        if free > 0 {
            let page = self.pragma_i64("page_size")?;
            let pages = free.min(ZERO_PAGES);
            self.conn
                .execute(
                    &format!("INSERT INTO {SCRATCH} (zeros) VALUES (zeroblob(?1))"),
                    [pages * (page - 4)],
                )
                .map_err(storage("cannot zero free pages"))?;
        }
        let done = self.pragma_i64("freelist_count")? <= floor;
        Ok(PurgeBatch {
            removed: 0,
            next: Some(if done {
                PurgeCursor(vec![RELEASING])
            } else {
                zeroing(floor)
            }),
        })
    }

    /// One step of giving the zeroed pages back: one row of zeros deleted, `secure_delete`
    /// zeroing its pages again as they are freed (the last page of a row is only partly written
    /// by the insert: its tail may still hold what the page held before); once none is left,
    /// the scratch table goes and the purge starts its deletions ([`DELETING`]).
    fn release_zeroed_pages(&mut self) -> Result<PurgeBatch> {
        let released = self
            .conn
            .execute(
                &format!("DELETE FROM {SCRATCH} WHERE id = (SELECT min(id) FROM {SCRATCH})"),
                [],
            )
            .map_err(storage("cannot release zeroed pages"))?;
        let next = if released == 0 {
            self.conn
                .execute_batch(&format!("DROP TABLE {SCRATCH}"))
                .map_err(storage("cannot release zeroed pages"))?;
            DELETING
        } else {
            RELEASING
        };
        Ok(PurgeBatch {
            removed: 0,
            next: Some(PurgeCursor(vec![next])),
        })
    }

    /// At the last batch of a purge of `table`: its index built again if
    /// [`set_aside_step`](Self::set_aside_step) dropped it (nothing otherwise).
    pub(super) fn restore_index(&mut self, table: &str) -> Result<()> {
        if let Some((_, _, create)) = PURGE_INDEXES.iter().find(|(t, ..)| *t == table) {
            self.conn
                .execute_batch(create)
                .map_err(storage("cannot rebuild an index"))?;
        }
        Ok(())
    }
}

/// The purge connection of a maintenance run.
pub(super) struct PurgeConnection {
    conn: Connection,
    /// `total_changes()` of the connection at its last checkpoint.
    checkpointed_at: u64,
}

impl SqliteStore {
    fn open_purge_connection(&self, path: &Path) -> Result<PurgeConnection> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| Error::storage_from(format!("cannot open {}", self.location), e))?;
        conn.busy_timeout(self.busy_timeout)
            .map_err(storage("cannot set the busy timeout"))?;
        check_identity(&conn, &self.location)?;
        let synchronous = match self.synchronous {
            Synchronous::Off => Synchronous::Off,
            Synchronous::Full | Synchronous::Normal => Synchronous::Normal,
        };
        conn.execute_batch(&format!(
            "PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;
             PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{}; PRAGMA wal_autocheckpoint = 0;",
            synchronous.pragma(),
            self.bulk_cache_kib.max(2000),
        ))
        .map_err(storage("cannot configure the connection"))?;
        conn.set_prepared_statement_cache_capacity(16);
        Ok(PurgeConnection {
            conn,
            checkpointed_at: 0,
        })
    }

    /// [`Store::write_purge`](crate::store::Store::write_purge): `f` in a `BEGIN IMMEDIATE`
    /// transaction on the purge connection (opened by the run's first batch).
    pub(super) fn purge_batch<R>(
        &self,
        f: impl FnOnce(&mut SqliteTx<'_>) -> Result<R>,
    ) -> Result<R> {
        use crate::store::Store;
        let Some(path) = &self.path else {
            return self.write(f);
        };
        let mut slot = self
            .maintenance
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(self.open_purge_connection(path)?);
        }
        let purge = slot.as_mut().expect("opened just above");
        let conn = &purge.conn;
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        conn.execute_batch("BEGIN IMMEDIATE")
            .map_err(storage("cannot start a write transaction"))?;
        let guard = Rollback(conn);
        let mut tx = SqliteTx {
            conn,
            read_only: false,
            // The WAL is truncated at the end of the run (`purge_pause`), not per batch.
            erased: false,
            gather_limit: self.gather_limit,
            audit_tip: None,
            accounts_created: 0,
            bulk_cache_kib: self.bulk_cache_kib,
            audit_key: (self.audit_key.lock())
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        };
        let out = f(&mut tx)?;
        conn.execute_batch("COMMIT")
            .map_err(storage("cannot commit"))?;
        guard.disarm();
        Ok(out)
    }

    /// [`Store::purge_checkpoint`](crate::store::Store::purge_checkpoint): between batches, a
    /// passive checkpoint every [`CHECKPOINT_ROWS`] rows changed; at the end, the purge connection
    /// closed and the WAL checkpointed by the writer and truncated.
    pub(super) fn purge_pause(&self, finished: bool) -> Result<()> {
        let mut slot = self
            .maintenance
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if finished {
            let ran = slot.take().is_some();
            drop(slot);
            let writer = self.writer();
            restore_purge_indexes(&writer)?;
            if ran {
                self.erase_wal(&writer);
            }
            return Ok(());
        }
        if let Some(purge) = slot.as_mut()
            && purge.conn.total_changes() - purge.checkpointed_at >= CHECKPOINT_ROWS
        {
            purge
                .conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                .map_err(storage("cannot checkpoint the purge's batches"))?;
            purge.checkpointed_at = purge.conn.total_changes();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::PurgeCursor;
    use crate::store::sqlite::SqliteOptions;
    use crate::store::sqlite::tests::TempPath;
    use crate::store::{AccountRepo, LifecycleRepo, Store};

    fn pragma(conn: &Connection, name: &str) -> i64 {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap()
    }

    fn wal_len(path: &Path) -> u64 {
        std::fs::metadata(format!("{}-wal", path.display())).map_or(0, |m| m.len())
    }

    #[test]
    fn purge_batches_commit_without_waiting_for_the_disk_and_the_run_ends_truncated() {
        let file = TempPath::new("purge-connection");
        let store = SqliteStore::open(&file.0, SqliteOptions::default()).unwrap();
        // An ordinary write waits for the disk (FULL = 2) and checkpoints at 1,000 pages.
        let (sync, auto) = store
            .write(|tx| {
                Ok((
                    pragma(tx.conn, "synchronous"),
                    pragma(tx.conn, "wal_autocheckpoint"),
                ))
            })
            .unwrap();
        assert_eq!((sync, auto), (2, 1000));
        // A purge batch does not (NORMAL = 1), never checkpoints at its commit, and writes.
        for _ in 0..3 {
            store.purge_checkpoint(false).unwrap();
            let (sync, auto, _) = store
                .write_purge(|tx| {
                    let code = tx.next_repairer_code()?;
                    Ok((
                        pragma(tx.conn, "synchronous"),
                        pragma(tx.conn, "wal_autocheckpoint"),
                        code,
                    ))
                })
                .unwrap();
            assert_eq!((sync, auto), (1, 0));
        }
        assert!(store.maintenance.lock().unwrap().is_some());
        assert!(wal_len(&file.0) > 0);
        store.purge_checkpoint(true).unwrap();
        assert!(store.maintenance.lock().unwrap().is_none(), "closed");
        assert_eq!(
            wal_len(&file.0),
            0,
            "the WAL is truncated at the end of the run"
        );
        // Every batch committed, and writes go on as before.
        assert_eq!(
            store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
            "R000004"
        );
    }

    /// An account's id as SQL, for the live rows.
    const LIVE: &str = "x'000102030405060708090a0b0c0d0e0f'";

    /// `dead` sessions ended long ago (random accounts) and `live` ones of the account `LIVE`.
    fn fill_sessions(store: &SqliteStore, dead: usize, live: usize) {
        store
            .write(|tx| {
                tx.conn
                    .execute_batch(&format!(
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
                           WHERE i < {dead})
                         INSERT INTO sessions (digest, account, created_at, last_seen, idle_ns,
                           expires_at, remembered)
                         SELECT randomblob(32), randomblob(16), 0, 0, 1, 10, 0 FROM n;
                         WITH RECURSIVE n(i) AS (SELECT 1 WHERE {live} > 0 UNION ALL
                           SELECT i + 1 FROM n WHERE i < {live})
                         INSERT INTO sessions (digest, account, created_at, last_seen, idle_ns,
                           expires_at, remembered)
                         SELECT randomblob(32), {LIVE}, 0, 1000000000000000, 1000000000,
                           1000000000000000, 0 FROM n;"
                    ))
                    .unwrap();
                Ok(())
            })
            .unwrap();
    }

    fn has_index(store: &SqliteStore, name: &str) -> bool {
        store
            .read(|tx| {
                Ok(tx
                    .conn
                    .query_row(
                        "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                        [name],
                        |r| r.get::<_, i64>(0),
                    )
                    .unwrap()
                    == 1)
            })
            .unwrap()
    }

    /// The live account's sessions, by the query that uses the index when it is there.
    fn live_sessions(store: &SqliteStore) -> i64 {
        store
            .read(|tx| {
                Ok(tx
                    .conn
                    .query_row(
                        &format!("SELECT count(*) FROM sessions WHERE account = {LIVE}"),
                        [],
                        |r| r.get(0),
                    )
                    .unwrap())
            })
            .unwrap()
    }

    /// Runs a session purge from its first batch to its end; the rows removed, and whether the
    /// index was there after the first batch.
    fn purge_sessions(store: &SqliteStore, limit: usize) -> (usize, bool) {
        let now = time::OffsetDateTime::from_unix_timestamp_nanos(1000).unwrap();
        let mut from = PurgeCursor::START;
        let (mut removed, mut after_first) = (0, None);
        loop {
            let b = store
                .write_purge(|tx| tx.purge_sessions(now, &from, limit))
                .unwrap();
            removed += b.removed;
            if after_first.is_none() {
                after_first = Some(has_index(store, "sessions_account"));
                assert_eq!(live_sessions(store), 30, "the same answer meanwhile");
            }
            match b.next {
                Some(next) => from = next,
                None => break,
            }
        }
        store.purge_checkpoint(true).unwrap();
        (removed, after_first.unwrap())
    }

    #[test]
    fn a_purge_of_mostly_ended_rows_sets_the_index_aside_and_builds_it_again() {
        let file = TempPath::new("set-aside");
        let store = SqliteStore::open(&file.0, SqliteOptions::default()).unwrap();
        fill_sessions(&store, 3000, 30);
        let (removed, index_during) = purge_sessions(&store, 500);
        assert_eq!(removed, 3000);
        assert!(!index_during, "set aside by the first batch");
        assert!(
            has_index(&store, "sessions_account"),
            "built by the last batch"
        );
        assert_eq!(live_sessions(&store), 30);
    }

    /// `pages` pages of the file freed (zeroed by `secure_delete`) before the sessions' purge,
    /// as the pages of rows removed earlier would be.
    fn free_pages(store: &SqliteStore, pages: usize) -> i64 {
        store
            .write(|tx| {
                tx.conn
                    .execute_batch(&format!(
                        "CREATE TABLE junk (b BLOB);
                         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
                           WHERE i < {pages})
                         INSERT INTO junk SELECT randomblob(4000) FROM n;
                         DROP TABLE junk;"
                    ))
                    .unwrap();
                Ok(pragma(tx.conn, "freelist_count"))
            })
            .unwrap()
    }

    #[test]
    fn a_purge_that_sets_the_index_aside_leaves_no_removed_digest_in_the_file_or_the_wal() {
        // With an empty free list before the index is dropped, and with one holding many pages
        // (the index's pages are then the newest of it, the only ones zeroed).
        for before in [0, 2500] {
            leaves_no_removed_digest(before);
        }
    }

    fn leaves_no_removed_digest(free_before: usize) {
        let file = TempPath::new("set-aside-bytes");
        let store = SqliteStore::open(&file.0, SqliteOptions::default()).unwrap();
        fill_sessions(&store, 3000, 30);
        if free_before > 0 {
            assert!(free_pages(&store, free_before) >= 2500);
        }
        let digests: Vec<Vec<u8>> = store
            .read(|tx| {
                let mut stmt = tx
                    .conn
                    .prepare(&format!(
                        "SELECT digest FROM sessions WHERE account <> {LIVE} LIMIT 50"
                    ))
                    .unwrap();
                let rows = stmt.query_map([], |r| r.get(0)).unwrap();
                Ok(rows.map(Result::unwrap).collect())
            })
            .unwrap();
        let bytes = || {
            let mut b = std::fs::read(&file.0).unwrap();
            b.extend(std::fs::read(format!("{}-wal", file.0.display())).unwrap_or_default());
            b
        };
        let found = |b: &[u8]| {
            (digests.iter())
                .filter(|d| b.windows(32).any(|w| w == d.as_slice()))
                .count()
        };
        assert_eq!(found(&bytes()), 50, "each digest is in the file before");
        let (removed, index_during) = purge_sessions(&store, 500);
        assert_eq!(removed, 3000);
        assert!(!index_during);
        assert_eq!(
            found(&bytes()),
            0,
            "no removed digest left (table or index pages)"
        );
    }

    /// How many pages the rows of zeros hold (each row's blob fills `page - 4` bytes a page).
    fn zeroed_pages(store: &SqliteStore) -> i64 {
        store
            .read(|tx| {
                let page = pragma(tx.conn, "page_size");
                Ok(tx
                    .conn
                    .query_row(
                        &format!("SELECT coalesce(sum(length(zeros)), 0) FROM {SCRATCH}"),
                        [],
                        |r| r.get::<_, i64>(0),
                    )
                    .unwrap()
                    / (page - 4))
            })
            .unwrap()
    }

    #[test]
    fn the_zeroing_takes_the_pages_the_drop_freed_not_the_whole_free_list() {
        let file = TempPath::new("set-aside-floor");
        let store = SqliteStore::open(&file.0, SqliteOptions::default()).unwrap();
        fill_sessions(&store, 3000, 30);
        let before = free_pages(&store, 3000);
        let trunk = 4096 / 4 - 7;
        let now = time::OffsetDateTime::from_unix_timestamp_nanos(1000).unwrap();
        let b = store
            .write_purge(|tx| tx.purge_sessions(now, &PurgeCursor::START, 500))
            .unwrap();
        assert_eq!(b.next, Some(zeroing(before - trunk)), "the floor is kept");
        let after_drop = store
            .read(|tx| Ok(pragma(tx.conn, "freelist_count")))
            .unwrap();
        let dropped = after_drop - before;
        assert!(dropped > 10, "the index's pages are freed: {dropped}");
        let mut from = b.next.unwrap();
        while from.0[0] == ZEROING {
            from = (store.write_purge(|tx| tx.purge_sessions(now, &from, 500)))
                .unwrap()
                .next
                .unwrap();
        }
        assert_eq!(from, PurgeCursor(vec![RELEASING]));
        // The free list down to its floor: the dropped pages and at most one trunk more (and
        // the few pages the scratch table's own tree takes), not the 3,000 freed before.
        let zeroed = zeroed_pages(&store);
        assert!(
            zeroed >= dropped && zeroed <= dropped + trunk,
            "{zeroed} pages zeroed, {dropped} dropped"
        );
        store.purge_checkpoint(true).unwrap();
    }

    #[test]
    fn a_digest_cursor_that_starts_like_a_zeroing_one_deletes() {
        let file = TempPath::new("set-aside-ff");
        let store = SqliteStore::open(&file.0, SqliteOptions::default()).unwrap();
        fill_sessions(&store, 10, 0);
        let now = time::OffsetDateTime::from_unix_timestamp_nanos(1000).unwrap();
        let mut last = vec![ZEROING; 32];
        last[31] = 0;
        let b = store
            .write_purge(|tx| tx.purge_sessions(now, &PurgeCursor(last), 500))
            .unwrap();
        assert_eq!(b.next, None, "the last batch, not a zeroing one");
        store.purge_checkpoint(true).unwrap();
    }

    #[test]
    fn a_run_stopped_while_zeroing_is_finished_by_the_next_one() {
        let file = TempPath::new("set-aside-stopped");
        let store = SqliteStore::open(&file.0, SqliteOptions::default()).unwrap();
        fill_sessions(&store, 3000, 30);
        let now = time::OffsetDateTime::from_unix_timestamp_nanos(1000).unwrap();
        let b = store
            .write_purge(|tx| tx.purge_sessions(now, &PurgeCursor::START, 500))
            .unwrap();
        assert_eq!(b.next, Some(zeroing(0)));
        assert_eq!(b.removed, 0);
        // The run stops here: the index comes back at its end, the scratch table stays.
        store.purge_checkpoint(true).unwrap();
        assert!(has_index(&store, "sessions_account"));
        assert_eq!(live_sessions(&store), 30);
        let scratch = |store: &SqliteStore| store.read(|tx| tx.scratch_exists()).unwrap();
        assert!(scratch(&store));
        // The next run zeroes the free pages first, then purges as usual.
        let (removed, _) = purge_sessions(&store, 500);
        assert_eq!(removed, 3000);
        assert!(!scratch(&store), "the scratch table is gone");
        assert!(has_index(&store, "sessions_account"));
    }

    #[test]
    fn a_purge_of_mostly_live_rows_keeps_the_index() {
        let file = TempPath::new("keep-index");
        let store = SqliteStore::open(&file.0, SqliteOptions::default()).unwrap();
        fill_sessions(&store, 300, 30);
        store
            .write(|tx| {
                tx.conn
                    .execute_batch(
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
                           WHERE i < 3000)
                         INSERT INTO sessions (digest, account, created_at, last_seen, idle_ns,
                           expires_at, remembered)
                         SELECT randomblob(32), randomblob(16), 0, 1000000000000000,
                           1000000000, 1000000000000000, 0 FROM n;",
                    )
                    .unwrap();
                Ok(())
            })
            .unwrap();
        let (removed, index_during) = purge_sessions(&store, 500);
        assert_eq!(removed, 300);
        assert!(index_during);
        // Too small a first batch to judge: kept too.
        fill_sessions(&store, 3000, 0);
        assert!(purge_sessions(&store, 100).1);
    }

    #[test]
    fn an_index_left_aside_by_an_interrupted_run_is_back_when_the_store_opens() {
        let file = TempPath::new("restore-index");
        let store = SqliteStore::open(&file.0, SqliteOptions::default()).unwrap();
        store
            .write(|tx| {
                tx.conn
                    .execute_batch("DROP INDEX tokens_account; DROP INDEX sessions_account;")
                    .unwrap();
                Ok(())
            })
            .unwrap();
        assert!(!has_index(&store, "tokens_account"));
        drop(store);
        let store = SqliteStore::open(&file.0, SqliteOptions::default()).unwrap();
        assert!(has_index(&store, "tokens_account"));
        assert!(has_index(&store, "sessions_account"));
    }

    #[test]
    fn a_failed_purge_batch_is_rolled_back() {
        let file = TempPath::new("purge-rollback");
        let store = SqliteStore::open(&file.0, SqliteOptions::default()).unwrap();
        let err = store
            .write_purge(|tx| {
                tx.next_repairer_code()?;
                Err::<(), _>(Error::storage("stop"))
            })
            .unwrap_err();
        assert_eq!(err.code(), "STORAGE");
        store.purge_checkpoint(true).unwrap();
        assert_eq!(
            store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
            "R000001"
        );
    }

    #[test]
    fn in_memory_purge_batches_are_ordinary_writes() {
        let store = SqliteStore::open_in_memory().unwrap();
        store.write_purge(|tx| tx.next_repairer_code()).unwrap();
        store.purge_checkpoint(false).unwrap();
        store.purge_checkpoint(true).unwrap();
        assert!(store.maintenance.lock().unwrap().is_none());
        assert_eq!(
            store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
            "R000002"
        );
    }
}
