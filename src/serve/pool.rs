//! A small pool of open results stores, used on blocking threads: the stores (rusqlite, the synchronous postgres client) block, so no page runs them on the async workers.

use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::store::{Store, StoreError};

/// Open stores shared by the requests; at most `size` are in use at once.
#[derive(Debug, Clone)]
pub struct StorePool {
    inner: Arc<PoolInner>,
}

#[derive(Debug)]
struct PoolInner {
    db: Option<String>,
    /// The base IRI of the xAPI statements the stores queue.
    xapi_base: String,
    idle: Mutex<Vec<Store>>,
    permits: Semaphore,
}

impl Drop for PoolInner {
    /// The synchronous PostgreSQL client runs its own small runtime and blocks on it when a
    /// connection closes, which panics on a thread that drives async tasks (where the last
    /// handle to the pool is often dropped: the server's future as it stops). The stores are
    /// closed on a thread of their own instead.
    fn drop(&mut self) {
        let stores = match self.idle.get_mut() {
            Ok(idle) => std::mem::take(idle),
            Err(poisoned) => std::mem::take(poisoned.into_inner()),
        };
        if stores.is_empty() {
            return;
        }
        let closing = std::thread::spawn(move || drop(stores));
        let _ = closing.join();
    }
}

/// Why a job on the store did not finish.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the results store's worker stopped: {0}")]
    Worker(String),
}

impl StorePool {
    /// Opens one store now, so a wrong `--db` fails at start-up rather than on the first page.
    pub fn open(db: Option<String>, size: usize, xapi_base: &str) -> Result<StorePool, StoreError> {
        let mut first = Store::open(db.as_deref())?;
        first.set_xapi_base(xapi_base);
        Ok(StorePool {
            inner: Arc::new(PoolInner {
                db,
                xapi_base: xapi_base.to_owned(),
                idle: Mutex::new(vec![first]),
                permits: Semaphore::new(size.max(1)),
            }),
        })
    }

    /// Where the store is, for messages.
    pub fn location(&self) -> String {
        self.with_idle(|store| store.location()).unwrap_or_else(|| {
            self.inner
                .db
                .clone()
                .unwrap_or_else(|| crate::store::default_sqlite_path().display().to_string())
        })
    }

    fn with_idle<T>(&self, read: impl FnOnce(&Store) -> T) -> Option<T> {
        let idle = self.inner.idle.lock().ok()?;
        idle.first().map(read)
    }

    /// Runs `job` with a store on a blocking thread. A store whose job failed is closed rather
    /// than reused, so a broken connection is not handed to the next request.
    pub async fn run<T, E>(
        &self,
        job: impl FnOnce(&mut Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<PoolError> + Send + 'static,
    {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|e| E::from(PoolError::Worker(e.to_string())))?;
        let inner = Arc::clone(&self.inner);
        let joined = tokio::task::spawn_blocking(move || {
            let reused = inner.idle.lock().ok().and_then(|mut idle| idle.pop());
            let mut store = match reused {
                Some(store) => store,
                None => {
                    let mut store =
                        Store::open(inner.db.as_deref()).map_err(|e| E::from(e.into()))?;
                    store.set_xapi_base(&inner.xapi_base);
                    store
                }
            };
            let result = job(&mut store);
            if result.is_ok()
                && let Ok(mut idle) = inner.idle.lock()
            {
                idle.push(store);
            }
            result
        })
        .await;
        joined.map_err(|e| E::from(PoolError::Worker(e.to_string())))?
    }
}
