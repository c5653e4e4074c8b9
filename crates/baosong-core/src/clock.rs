//! "Now", behind a trait: the GUI's countdown and every timestamp a draft carries come from here,
//! so tests and screenshots can pin the date instead of depending on the day they run.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<FixedOffset>;
}

/// The computer's clock, in China's time (北京时间, +08:00) whatever zone the PC is set to: the
/// campaign's deadline, the receipt, the bundle's name and the desk all speak of one time (an
/// office PC left on another zone said 17:56 on the receipt and 01:56 the next day at the desk).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<FixedOffset> {
        Utc::now().with_timezone(&crate::dates::china())
    }
}

/// A clock that always says the same time (tests, screenshots).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<FixedOffset>);

impl FixedClock {
    /// Parse an RFC 3339 time such as `2024-03-01T10:00:00+08:00`.
    pub fn at(rfc3339: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(rfc3339).ok().map(Self)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<FixedOffset> {
        self.0
    }
}

/// Monotonic time for timers (the autosave), behind a trait so a test can move it on by hand
/// instead of sleeping.
pub trait Ticker: Send + Sync {
    fn now(&self) -> Instant;
}

/// The system's monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemTicker;

impl Ticker for SystemTicker {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A ticker that moves only when told to (tests).
#[derive(Debug)]
pub struct ManualTicker(Mutex<Instant>);

impl Default for ManualTicker {
    fn default() -> Self {
        Self(Mutex::new(Instant::now()))
    }
}

impl ManualTicker {
    pub fn advance(&self, by: Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Ticker for ManualTicker {
    fn now(&self) -> Instant {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|e| *e.into_inner())
    }
}
