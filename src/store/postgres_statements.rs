//! Prepared statements kept per PostgreSQL connection: a query the connection has sent before is neither parsed nor planned by the server again, and goes out in one round trip instead of two.
//!
//! The synchronous client prepares an unnamed statement for every query given as text, so each
//! page paid for parsing and planning every one of its queries, and for a second round trip.
//! A server (`rapport serve`) keeps its connections open for hours and sends the same few dozen
//! queries over and over: this cache keeps their named statements. Prepared statements belong
//! to the connection, not to a transaction, so a statement prepared in a transaction that rolls
//! back stays usable.

use std::collections::HashMap;

use postgres::{GenericClient, Statement};

/// The most statements kept; past it the cache starts afresh (queries built from filters come
/// in a bounded number of shapes, so this is a safety net, not a working limit).
const MAX_STATEMENTS: usize = 512;

/// The named statements of one connection, by their SQL.
#[derive(Default)]
pub(super) struct StatementCache {
    statements: HashMap<String, Statement>,
}

impl StatementCache {
    /// The statement for `sql`, prepared on `client`'s connection the first time it is asked for.
    pub(super) fn prepare(
        &mut self,
        client: &mut impl GenericClient,
        sql: &str,
    ) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(sql)?;
        if self.statements.len() >= MAX_STATEMENTS {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}
