//! The connections of a [`PostgresStore`](super::PostgresStore): a pool of rust-postgres'
//! sync clients, each keeping the statements prepared on it, so a statement costs one round
//! trip.
//!
//! A transaction borrows one connection ([`Pool::get`], waiting up to
//! [`PostgresOptions::acquire_timeout`](super::PostgresOptions::acquire_timeout) when all
//! are lent), which comes back on drop, unless it was closed or discarded (its state unknown):
//! then its slot is freed and the next caller opens a new one.

use super::pg;
use super::tls::Tls;
use crate::{Error, Result};
use ::postgres::{Client, Config, Statement};
use std::collections::HashMap;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A connection and the statements prepared on it.
pub(super) struct Conn {
    pub(super) client: Client,
    pub(super) statements: HashMap<String, Statement>,
}

pub(super) struct Pool {
    pub(super) config: Config,
    /// Plaintext or TLS, as the URL's `sslmode` says (see `tls`).
    pub(super) tls: Tls,
    pub(super) max: usize,
    pub(super) timeout: Duration,
    pub(super) state: Mutex<PoolState>,
    pub(super) available: Condvar,
}

#[derive(Default)]
pub(super) struct PoolState {
    idle: Vec<Conn>,
    open: usize,
}

/// A connection borrowed from the pool; returned on drop unless it was closed.
pub(super) struct Pooled<'p> {
    pool: &'p Pool,
    conn: Option<Conn>,
}

impl Pooled<'_> {
    pub(super) fn conn(&mut self) -> &mut Conn {
        self.conn
            .as_mut()
            .expect("a pooled connection is held until dropped")
    }

    /// Closes this connection instead of returning it.
    pub(super) fn discard(&mut self) {
        if self.conn.take().is_some() {
            self.pool.lost();
        }
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if conn.client.is_closed() {
            self.pool.lost();
            return;
        }
        let mut st = self.pool.lock();
        st.idle.push(conn);
        drop(st);
        self.pool.available.notify_one();
    }
}

impl Pool {
    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection was closed: its slot is free.
    fn lost(&self) {
        self.lock().open -= 1;
        self.available.notify_one();
    }

    pub(super) fn get(&self) -> Result<Pooled<'_>> {
        let deadline = Instant::now() + self.timeout;
        let mut st = self.lock();
        loop {
            if let Some(conn) = st.idle.pop() {
                return Ok(Pooled {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if st.open < self.max {
                st.open += 1;
                drop(st);
                return match self.open() {
                    Ok(conn) => Ok(Pooled {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(e) => {
                        self.lost();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::storage(format!(
                    "no PostgreSQL connection became free within {:?} (pool of {})",
                    self.timeout, self.max
                )));
            }
            st = self
                .available
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn open(&self) -> Result<Conn> {
        let mut client = self.tls.connect(&self.config)?;
        // A server cut off in the middle of a transaction (a network partition) would hold the
        // writer lock until TCP gives up, hours later: unless the URL's options chose a limit,
        // PostgreSQL ends a session left idle inside a transaction for a minute.
        client
            .batch_execute(
                "SELECT set_config('idle_in_transaction_session_timeout', '60s', false)
                 WHERE current_setting('idle_in_transaction_session_timeout') IN ('0', '0ms')",
            )
            .map_err(pg("cannot configure a PostgreSQL connection"))?;
        Ok(Conn {
            client,
            statements: HashMap::new(),
        })
    }
}
