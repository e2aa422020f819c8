//! Where time comes from: the system clock in production, a manual clock in tests.

use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// A source of the current time (UTC). Services take one so tests can move time by hand.
///
/// ```
/// use dealer_portal::{Clock, ManualClock};
/// use time::{Duration, macros::datetime};
/// let clock = ManualClock::new(datetime!(2026-01-15 09:00 UTC));
/// clock.advance(Duration::hours(2));
/// assert_eq!(clock.now(), datetime!(2026-01-15 11:00 UTC));
/// ```
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that moves only when told to. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        ManualClock(Arc::new(Mutex::new(start)))
    }
    /// Moves the clock by `by` (negative to go back, as a misset system clock may).
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }
    /// Sets the clock to `at`.
    pub fn set(&self, at: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    #[test]
    fn manual_clock_moves_both_ways_and_clones_share() {
        let c = ManualClock::new(datetime!(2026-01-01 00:00 UTC));
        let c2 = c.clone();
        c.advance(Duration::minutes(-5));
        assert_eq!(c2.now(), datetime!(2025-12-31 23:55 UTC));
        c.set(datetime!(2030-01-01 00:00 UTC));
        assert_eq!(c2.now(), datetime!(2030-01-01 00:00 UTC));
    }
    #[test]
    fn system_clock_is_utc() {
        assert_eq!(SystemClock.now().offset(), time::UtcOffset::UTC);
    }
}
