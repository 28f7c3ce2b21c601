//! Heavy archive queries share a small relay-wide limit: `timecards.get` reads up to millions of
//! events, `archive.logs` and `archive.jobCodeLogs` pages of thousands of rows. They share the
//! archive's connections and the relay's memory, so a few clients asking for years of data must
//! not starve everyone else: at most [`MAX_HEAVY_QUERIES`] run at once, more wait in line for
//! [`HEAVY_QUERY_WAIT`] and are then refused with `-32008`.

use std::sync::Arc;
use std::time::Duration;

use tna_types::protocol::{ErrorCode, RpcError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Heavy queries running at once, relay-wide.
pub const MAX_HEAVY_QUERIES: usize = 4;
/// How long a heavy query waits for its turn before it is refused.
pub const HEAVY_QUERY_WAIT: Duration = Duration::from_secs(20);

/// The relay's heavy-query line (cheap to clone).
#[derive(Clone)]
pub struct HeavyQueries {
    running: Arc<Semaphore>,
    limit: usize,
    wait: Duration,
}

/// A heavy query's turn; the next in line goes when it is dropped.
pub struct Turn(#[allow(dead_code)] OwnedSemaphorePermit);

impl HeavyQueries {
    /// At most `limit` at once; others wait up to `wait`.
    pub fn new(limit: usize, wait: Duration) -> HeavyQueries {
        HeavyQueries {
            running: Arc::new(Semaphore::new(limit)),
            limit,
            wait,
        }
    }

    /// Waits for a turn, or says the relay is busy.
    pub async fn turn(&self) -> Result<Turn, RpcError> {
        match tokio::time::timeout(self.wait, self.running.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Turn(permit)),
            _ => Err(RpcError::because(
                ErrorCode::LimitExceeded,
                "busy",
                format!(
                    "The relay is answering {} large archive queries already; try again in a moment.",
                    self.limit
                ),
                serde_json::json!({ "limit": self.limit }),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn at_most_the_limit_run_and_the_next_waits_its_turn() {
        let line = HeavyQueries::new(2, Duration::from_millis(100));
        let a = line.turn().await.expect("first");
        let _b = line.turn().await.expect("second");
        let refused = line
            .turn()
            .await
            .err()
            .expect("a third is refused after the wait");
        assert_eq!(refused.code, ErrorCode::LimitExceeded as i32);
        assert_eq!(
            refused.data.as_ref().map(|d| d["limit"].clone()),
            Some(2.into())
        );
        // One that waits gets the turn a finished query gives back.
        let waiting = tokio::spawn({
            let line = line.clone();
            async move { line.turn().await.is_ok() }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(a);
        assert!(waiting.await.expect("task"));
    }
}
