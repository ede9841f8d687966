//! One transaction's SQL with the same text on both backends: `?` placeholders and plain values, for code outside the store (the team workflow) that owns its own tables.
//!
//! The shared SQL keeps to what SQLite and PostgreSQL read alike: `INSERT … RETURNING`,
//! `ON CONFLICT … DO NOTHING`, integer flags (0/1) rather than booleans, times as Unix seconds.

use super::{Store, StoreError};

/// A value bound to a `?` or read from a column.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for SqlValue {
    fn from(value: i64) -> SqlValue {
        SqlValue::Int(value)
    }
}

impl From<bool> for SqlValue {
    fn from(value: bool) -> SqlValue {
        SqlValue::Int(i64::from(value))
    }
}

impl From<f64> for SqlValue {
    fn from(value: f64) -> SqlValue {
        SqlValue::Real(value)
    }
}

impl From<&str> for SqlValue {
    fn from(value: &str) -> SqlValue {
        SqlValue::Text(value.to_owned())
    }
}

impl From<String> for SqlValue {
    fn from(value: String) -> SqlValue {
        SqlValue::Text(value)
    }
}

impl From<&String> for SqlValue {
    fn from(value: &String) -> SqlValue {
        SqlValue::Text(value.clone())
    }
}

impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(value: Option<T>) -> SqlValue {
        value.map_or(SqlValue::Null, Into::into)
    }
}

/// One result row, read by column position.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlRow(pub Vec<SqlValue>);

impl SqlRow {
    fn value(&self, column: usize) -> Result<&SqlValue, StoreError> {
        self.0.get(column).ok_or(StoreError::UnexpectedColumn {
            column,
            expected: "a column",
        })
    }

    /// An integer column (a flag reads as 0 or 1).
    pub fn int(&self, column: usize) -> Result<i64, StoreError> {
        self.opt_int(column)?.ok_or(StoreError::UnexpectedColumn {
            column,
            expected: "an integer",
        })
    }

    /// An integer column that may be NULL.
    pub fn opt_int(&self, column: usize) -> Result<Option<i64>, StoreError> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            SqlValue::Int(value) => Ok(Some(*value)),
            _ => Err(StoreError::UnexpectedColumn {
                column,
                expected: "an integer",
            }),
        }
    }

    /// A flag column (0 or 1).
    pub fn flag(&self, column: usize) -> Result<bool, StoreError> {
        Ok(self.int(column)? != 0)
    }

    /// A real-number column (integers read as reals).
    pub fn real(&self, column: usize) -> Result<f64, StoreError> {
        self.opt_real(column)?.ok_or(StoreError::UnexpectedColumn {
            column,
            expected: "a number",
        })
    }

    /// A real-number column that may be NULL (integers read as reals).
    pub fn opt_real(&self, column: usize) -> Result<Option<f64>, StoreError> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            SqlValue::Real(value) => Ok(Some(*value)),
            SqlValue::Int(value) => Ok(Some(*value as f64)),
            SqlValue::Text(_) => Err(StoreError::UnexpectedColumn {
                column,
                expected: "a number",
            }),
        }
    }

    /// A text column.
    pub fn text(&self, column: usize) -> Result<String, StoreError> {
        self.opt_text(column)?.ok_or(StoreError::UnexpectedColumn {
            column,
            expected: "text",
        })
    }

    /// A text column that may be NULL.
    pub fn opt_text(&self, column: usize) -> Result<Option<String>, StoreError> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            SqlValue::Text(value) => Ok(Some(value.clone())),
            _ => Err(StoreError::UnexpectedColumn {
                column,
                expected: "text",
            }),
        }
    }
}

/// Statements inside one open transaction.
pub trait SqlTx {
    /// Runs a statement; the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError>;
    /// Runs a query; its rows.
    fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<SqlRow>, StoreError>;
    /// Which backend runs the SQL, for the few statements the two spell differently.
    fn backend(&self) -> Backend;

    /// Runs a query expected to return at most one row.
    fn query_opt(&mut self, sql: &str, params: &[SqlValue]) -> Result<Option<SqlRow>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

/// The database behind a [`SqlTx`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Work done in the transaction that records reviews, given the new reviews' numbers (the team
/// workflow marks queue items done and writes its audit entry there, so both happen or neither).
pub type ReviewsRecorded<'a> = dyn FnMut(&mut dyn SqlTx, &[i64]) -> Result<(), StoreError> + 'a;

/// Whether a transaction only reads (SQLite then takes no write lock) or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxMode {
    Read,
    Write,
}

impl Store {
    /// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn in_transaction<T, E: From<StoreError>>(
        &mut self,
        mode: TxMode,
        work: impl FnOnce(&mut dyn SqlTx) -> Result<T, E>,
    ) -> Result<T, E> {
        match self {
            Store::Sqlite(store) => store.in_transaction(mode, work),
            #[cfg(feature = "postgres")]
            Store::Postgres(store) => store.in_transaction(mode, work),
        }
    }
}

/// SQLite's side of the shared SQL.
pub(super) mod sqlite {
    use rusqlite::types::{ToSqlOutput, ValueRef};
    use rusqlite::{Transaction, params_from_iter};

    use super::{Backend, SqlRow, SqlTx, SqlValue};
    use crate::store::StoreError;

    impl rusqlite::ToSql for SqlValue {
        fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
            Ok(match self {
                SqlValue::Null => ToSqlOutput::Borrowed(ValueRef::Null),
                SqlValue::Int(value) => ToSqlOutput::Borrowed(ValueRef::Integer(*value)),
                SqlValue::Real(value) => ToSqlOutput::Borrowed(ValueRef::Real(*value)),
                SqlValue::Text(value) => ToSqlOutput::Borrowed(ValueRef::Text(value.as_bytes())),
            })
        }
    }

    /// An open SQLite transaction and how to explain its errors.
    pub(in crate::store) struct SqliteTx<'c, 't, F: Fn(rusqlite::Error) -> StoreError> {
        pub(in crate::store) tx: &'t Transaction<'c>,
        pub(in crate::store) fail: F,
    }

    impl<F: Fn(rusqlite::Error) -> StoreError> SqlTx for SqliteTx<'_, '_, F> {
        fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
            let mut statement = self.tx.prepare_cached(sql).map_err(&self.fail)?;
            let changed = statement
                .execute(params_from_iter(params))
                .map_err(&self.fail)?;
            Ok(changed as u64)
        }

        fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<SqlRow>, StoreError> {
            let mut statement = self.tx.prepare_cached(sql).map_err(&self.fail)?;
            let columns = statement.column_count();
            let mut rows = statement
                .query(params_from_iter(params))
                .map_err(&self.fail)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(&self.fail)? {
                let mut values = Vec::with_capacity(columns);
                for column in 0..columns {
                    let value = match row.get_ref(column).map_err(&self.fail)? {
                        ValueRef::Null => SqlValue::Null,
                        ValueRef::Integer(value) => SqlValue::Int(value),
                        ValueRef::Real(value) => SqlValue::Real(value),
                        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                            SqlValue::Text(String::from_utf8_lossy(bytes).into_owned())
                        }
                    };
                    values.push(value);
                }
                out.push(SqlRow(values));
            }
            Ok(out)
        }

        fn backend(&self) -> Backend {
            Backend::Sqlite
        }
    }
}

/// PostgreSQL's side of the shared SQL.
#[cfg(feature = "postgres")]
pub(super) mod postgres {
    use bytes::BytesMut;
    use postgres::Transaction;
    use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

    use super::{Backend, SqlRow, SqlTx, SqlValue};
    use crate::store::StoreError;
    use crate::store::postgres_statements::StatementCache;

    impl ToSql for SqlValue {
        fn to_sql(
            &self,
            ty: &Type,
            out: &mut BytesMut,
        ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
            // The server infers each placeholder's type from the statement; an integer goes to
            // whichever integer (or flag) column it is compared with or stored in.
            match self {
                SqlValue::Null => Ok(IsNull::Yes),
                SqlValue::Int(value) if *ty == Type::INT4 => i32::try_from(*value)?.to_sql(ty, out),
                SqlValue::Int(value) if *ty == Type::INT2 => i16::try_from(*value)?.to_sql(ty, out),
                SqlValue::Int(value) if *ty == Type::BOOL => (*value != 0).to_sql(ty, out),
                SqlValue::Int(value) if *ty == Type::FLOAT8 => (*value as f64).to_sql(ty, out),
                SqlValue::Int(value) => value.to_sql(ty, out),
                SqlValue::Real(value) => value.to_sql(ty, out),
                SqlValue::Text(value) => value.to_sql(ty, out),
            }
        }

        fn accepts(_: &Type) -> bool {
            true
        }

        to_sql_checked!();
    }

    /// An open PostgreSQL transaction and how to explain its errors.
    pub(in crate::store) struct PostgresTx<'c, 't, F: Fn(postgres::Error) -> StoreError> {
        pub(in crate::store) tx: &'t mut Transaction<'c>,
        /// The connection's prepared statements.
        pub(in crate::store) statements: &'t mut StatementCache,
        pub(in crate::store) fail: F,
    }

    impl<F: Fn(postgres::Error) -> StoreError> SqlTx for PostgresTx<'_, '_, F> {
        fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            let statement = self
                .statements
                .prepare(&mut *self.tx, &super::super::postgres::numbered(sql))
                .map_err(&self.fail)?;
            self.tx.execute(&statement, &refs).map_err(&self.fail)
        }

        fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<SqlRow>, StoreError> {
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            let statement = self
                .statements
                .prepare(&mut *self.tx, &super::super::postgres::numbered(sql))
                .map_err(&self.fail)?;
            let rows = self.tx.query(&statement, &refs).map_err(&self.fail)?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let mut values = Vec::with_capacity(row.len());
                for (index, column) in row.columns().iter().enumerate() {
                    let ty = column.type_();
                    let value = if *ty == Type::INT8 {
                        row.try_get::<_, Option<i64>>(index)
                            .map(|v| v.map(SqlValue::Int))
                    } else if *ty == Type::INT4 {
                        row.try_get::<_, Option<i32>>(index)
                            .map(|v| v.map(|v| SqlValue::Int(v.into())))
                    } else if *ty == Type::INT2 {
                        row.try_get::<_, Option<i16>>(index)
                            .map(|v| v.map(|v| SqlValue::Int(v.into())))
                    } else if *ty == Type::BOOL {
                        row.try_get::<_, Option<bool>>(index)
                            .map(|v| v.map(|v| SqlValue::Int(v.into())))
                    } else if *ty == Type::FLOAT8 {
                        row.try_get::<_, Option<f64>>(index)
                            .map(|v| v.map(SqlValue::Real))
                    } else if *ty == Type::FLOAT4 {
                        row.try_get::<_, Option<f32>>(index)
                            .map(|v| v.map(|v| SqlValue::Real(v.into())))
                    } else {
                        row.try_get::<_, Option<String>>(index)
                            .map(|v| v.map(SqlValue::Text))
                    }
                    .map_err(&self.fail)?;
                    values.push(value.unwrap_or(SqlValue::Null));
                }
                out.push(SqlRow(values));
            }
            Ok(out)
        }

        fn backend(&self) -> Backend {
            Backend::Postgres
        }
    }
}
