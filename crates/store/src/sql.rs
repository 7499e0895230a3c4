//! A small builder for queries assembled at run time (filters, visibility), numbering the
//! `$N` placeholders itself: sqlx's own builder writes `?` for `Any`, which PostgreSQL rejects.

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};
use sqlx::Any;

#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
    /// A NULL of each type (PostgreSQL checks a NULL's type against its column's).
    NullInt,
    NullText,
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Arg::NullInt, Arg::Int)
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        v.map_or(Arg::NullText, Arg::Text)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Arg::NullText, |s| Arg::Text(s.to_string()))
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder and remembers its value.
    pub fn bind(&mut self, arg: impl Into<Arg>) -> &mut Sql {
        self.args.push(arg.into());
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Appends `(…, …)` with one placeholder per value (callers ensure it is not empty).
    pub fn bind_list<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> &mut Sql {
        self.text.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self.text.push(')');
        self
    }

    /// Puts `head` before and `tail` after the text, keeping the bound values.
    pub fn wrap(&mut self, head: &str, tail: &str) -> &mut Sql {
        self.text = format!("{head}{}{tail}", self.text);
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
                Arg::NullInt => q.bind(None::<i64>),
                Arg::NullText => q.bind(None::<String>),
            };
        }
        q
    }

    pub fn query_as<T>(&self) -> QueryAs<'_, Any, T, AnyArguments<'_>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut q = sqlx::query_as::<Any, T>(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
                Arg::NullInt => q.bind(None::<i64>),
                Arg::NullText => q.bind(None::<String>),
            };
        }
        q
    }

    /// `INSERT INTO {head} VALUES (…), (…)` for rows of the same columns.
    pub fn insert_rows(head: &str, rows: Vec<Vec<Arg>>) -> Sql {
        let mut sql = Sql::new(&format!("INSERT INTO {head} VALUES "));
        for (i, row) in rows.into_iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_list(row);
        }
        sql
    }

    /// The same insert with plain `?` placeholders, bound by position: for SQLite alone,
    /// which finds a numbered placeholder by scanning the statement's list of names
    /// (quadratic in a long statement), but an unnamed one directly.
    pub fn insert_rows_positional(head: &str, rows: Vec<Vec<Arg>>) -> Sql {
        let mut text = format!("INSERT INTO {head} VALUES ");
        let mut args = Vec::new();
        for (i, row) in rows.into_iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push('(');
            for (j, v) in row.into_iter().enumerate() {
                text.push_str(if j > 0 { ", ?" } else { "?" });
                args.push(v);
            }
            text.push(')');
        }
        Sql { text, args }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_an_insert_are_numbered_on() {
        let s = Sql::insert_rows(
            "t (a, b)",
            vec![
                vec![Arg::Int(1), Arg::NullText],
                vec![Arg::Int(2), Arg::from("x")],
            ],
        );
        assert_eq!(s.text(), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
    }

    #[test]
    fn positional_rows_bind_in_order() {
        let s = Sql::insert_rows_positional(
            "t (a, b)",
            vec![
                vec![Arg::Int(1), Arg::NullText],
                vec![Arg::Int(2), Arg::from("x")],
            ],
        );
        assert_eq!(s.text(), "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
        assert_eq!(s.args.len(), 4);
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut s = Sql::new("SELECT * FROM items WHERE org_id = ");
        s.bind(1)
            .push(" AND state IN ")
            .bind_list(["filed", "handling"]);
        assert_eq!(
            s.text(),
            "SELECT * FROM items WHERE org_id = $1 AND state IN ($2, $3)"
        );
    }
}
