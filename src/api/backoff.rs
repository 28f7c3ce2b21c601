//! Reconnect delays: 0.5 s, doubling after every failed attempt, capped at 10 s.

/// The first delay after a dropped connection, in milliseconds.
pub const FIRST_RETRY_MS: u32 = 500;
/// The longest delay between two connection attempts, in milliseconds.
pub const MAX_RETRY_MS: u32 = 10_000;

/// The delay before connection attempt `attempt + 1`, where `attempt` counts the failures since
/// the last successful connection (0 = the connection just dropped).
pub fn retry_delay_ms(attempt: u32) -> u32 {
    // Past 2^5 × 0.5 s the cap applies; bounding the shift keeps it from overflowing.
    let delay = u64::from(FIRST_RETRY_MS) << attempt.min(16);
    u32::try_from(delay.min(u64::from(MAX_RETRY_MS))).unwrap_or(MAX_RETRY_MS)
}

/// Whole seconds shown to a person for a remaining delay (rounded up, so "0 s" never shows
/// while still waiting).
pub fn countdown_secs(remaining_ms: u32) -> u32 {
    remaining_ms.div_ceil(1000)
}

/// How long to wait before the next countdown tick so the ticks land on whole seconds.
pub fn next_tick_ms(remaining_ms: u32) -> u32 {
    match remaining_ms % 1000 {
        0 => remaining_ms.min(1000),
        part => part,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps() {
        let delays: Vec<u32> = (0..8).map(retry_delay_ms).collect();
        assert_eq!(
            delays,
            [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]
        );
        assert_eq!(retry_delay_ms(40), MAX_RETRY_MS);
        assert_eq!(retry_delay_ms(u32::MAX), MAX_RETRY_MS);
    }

    #[test]
    fn countdown_rounds_up_and_ticks_on_seconds() {
        assert_eq!(countdown_secs(500), 1);
        assert_eq!(countdown_secs(1000), 1);
        assert_eq!(countdown_secs(1001), 2);
        assert_eq!(next_tick_ms(2500), 500);
        assert_eq!(next_tick_ms(2000), 1000);
        assert_eq!(next_tick_ms(300), 300);
        assert_eq!(next_tick_ms(0), 0);
    }
}
