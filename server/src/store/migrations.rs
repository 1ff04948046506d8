//! The schema's migrations, written once for both backends.
//!
//! Each file in `server/migrations/` holds one migration in the SQL the two backends share,
//! with a `{{name}}` where they differ: a column type, a default, a function. A backend's
//! migration is the file with every name replaced by that backend's word ([`words`]).
//!
//! What sqlx records of an applied migration is a checksum of its text, and it refuses to
//! start on a database whose applied migrations have changed. So a file, once released,
//! must expand to the same text for good: the test below holds every migration's checksum
//! on both backends, and a new migration adds its own two (the test says which).

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use super::{Backend, StoreResult};

/// The files of `server/migrations/`, each with its text.
macro_rules! files {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../migrations/", $file)))),*]
    };
}

/// Every migration, oldest first, by file name (`<version>_<description>.sql`).
const FILES: &[(&str, &str)] = files![
    "0001_init.sql",
    "0002_invoice_sort_indexes.sql",
    "0003_key_scopes_and_link_keys.sql",
    "0004_rate_limit_hits.sql",
    "0005_webhooks.sql",
    "0006_payment_urls.sql",
    "0007_usage_series.sql",
    "0008_tax_ids.sql",
    "0009_credit_balances.sql",
    "0010_plans.sql",
];

/// What a `{{name}}` stands for on a backend.
fn words(backend: Backend, name: &str) -> Option<&'static str> {
    use Backend::{Postgres, Sqlite};
    Some(match (name, backend) {
        ("dialect", Postgres) => "PostgreSQL",
        ("dialect", Sqlite) => "SQLite",
        ("bytes", Postgres) => "BYTEA",
        ("bytes", Sqlite) => "BLOB",
        ("bool", Postgres) => "BOOLEAN",
        ("bool", Sqlite) => "INTEGER",
        ("false", Postgres) => "FALSE",
        ("false", Sqlite) => "0",
        ("true", Postgres) => "TRUE",
        ("true", Sqlite) => "1",
        // SQLite has no date type: a date is its ISO 8601 text, which sorts as it reads.
        ("date", Postgres) => "DATE",
        ("date", Sqlite) => "TEXT",
        ("date_stored_as", Postgres) => "DATE",
        ("date_stored_as", Sqlite) => "ISO 8601 TEXT (YYYY-MM-DD, which sorts as it reads)",
        ("json_array", Postgres) => "json_build_array",
        ("json_array", Sqlite) => "json_array",
        ("json_object", Postgres) => "json_build_object",
        ("json_object", Sqlite) => "json_object",
        // PostgreSQL's JSON functions give `json`; the column is text.
        ("as_text", Postgres) => "::text",
        ("as_text", Sqlite) => "",
        _ => return None,
    })
}

/// A migration's text on a backend, or what in it has no word there.
fn expand(backend: Backend, file: &str, template: &str) -> Result<String, String> {
    let mut text = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        text.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("{file}: a {{{{ with no }}}}"))?;
        let name = &after[..end];
        let word = words(backend, name)
            .ok_or_else(|| format!("{file}: {{{{{name}}}}} has no word on {}", backend.as_str()))?;
        text.push_str(word);
        rest = &after[end + 2..];
    }
    text.push_str(rest);
    Ok(text)
}

/// One backend's migrations, as sqlx reads a migrations folder: the version before the
/// first `_`, the rest of the name as the description.
fn migrations(backend: Backend) -> Result<Vec<Migration>, String> {
    FILES
        .iter()
        .map(|(file, template)| {
            let (version, description) = file
                .strip_suffix(".sql")
                .and_then(|name| name.split_once('_'))
                .ok_or_else(|| format!("{file}: not <version>_<description>.sql"))?;
            let version = version
                .parse()
                .map_err(|_| format!("{file}: the version is not a number"))?;
            let sql = expand(backend, file, template)?;
            let no_tx = sql.starts_with("-- no-transaction");
            Ok(Migration::new(
                version,
                Cow::Owned(description.replace('_', " ")),
                MigrationType::Simple,
                Cow::Owned(sql),
                no_tx,
            ))
        })
        .collect()
}

#[derive(Debug)]
struct Source(Backend);

impl<'s> MigrationSource<'s> for Source {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async move { migrations(self.0).map_err(BoxDynError::from) })
    }
}

/// The migrator that brings a backend's database up to date.
pub async fn migrator(backend: Backend) -> StoreResult<Migrator> {
    Ok(Migrator::new(Source(backend)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The SHA-384 of each released migration's text as databases hold it: (version,
    /// PostgreSQL, SQLite). A migration that expands to other text breaks every database
    /// it was applied to.
    const RELEASED: &[(i64, &str, &str)] = &[
        (1, "c6bb376ae9d7f2b8c320c0bdb4fdf778995f6ef5b028b2fbb63f256befdc72374f42c35d42c025ed8b9d3cdcf6c6b6d3", "c406ed7c9225438ae6831291b1240353510c109da8af4105d8a93b0defe6f7496ae12b0631486cd0dde3107c15d7eeff"),
        (2, "deea761ddb5a1e814661e775e75c07f0eb708164dce35002f75609c833a1fe75c3f647d7ee93b829f93030dd517a62e8", "deea761ddb5a1e814661e775e75c07f0eb708164dce35002f75609c833a1fe75c3f647d7ee93b829f93030dd517a62e8"),
        (3, "ab2365178b7eba09aff6718d213ff7cae8aa4a5d651a56ee8cf85ad42b8a78030e221dae6f829985879bbf022219127f", "ab2365178b7eba09aff6718d213ff7cae8aa4a5d651a56ee8cf85ad42b8a78030e221dae6f829985879bbf022219127f"),
        (4, "06001d90af106487f608baa20c93470fca39e2c8c91f64559b22cbb7fca14987f901db4e48938d679456d9b25d7ecfff", "06001d90af106487f608baa20c93470fca39e2c8c91f64559b22cbb7fca14987f901db4e48938d679456d9b25d7ecfff"),
        (5, "71b2e06312418d1566844d6def8f4376977e920190ba9f3698c271b6f8eb39638956f76c829176bca9bb9fa60688fc60", "458bb99f703dab735c262e3b89ae05ffcee96889a363065043b6e83498985a13729b6552210448f1db7de29ba3d6083f"),
        (6, "393825b98f94b861b8074c2f675fe40bbbe6e35e8808fd6c6948cd3368583b3ae8b6d18b80f3cab9ef8f07fbf3dfb27b", "393825b98f94b861b8074c2f675fe40bbbe6e35e8808fd6c6948cd3368583b3ae8b6d18b80f3cab9ef8f07fbf3dfb27b"),
        (7, "a823c145c24d1fe8b8b44a7091466095977e5a5ac93754bde961ab20b83c5f6fdf0a85cd1fd45247ac58b31f3fd96b1d", "a823c145c24d1fe8b8b44a7091466095977e5a5ac93754bde961ab20b83c5f6fdf0a85cd1fd45247ac58b31f3fd96b1d"),
        (8, "7d32e4a08143e79f069c45b810c7803f0ccb514db94d755032ea538da9f7ce3238aaa03e0807c8317cc788394302e272", "bbb9e147d1a832dbc5ed7c1aba4e36e5b4294139d705f4f48bb68ac5bed0aa228b26d0a9924d8397d33e07cd94ed5cfa"),
        (9, "debfdac7bbcf64ee7518c19d6607854efaa32d530ab6c8c3dc1dbd6e39adbc62910f25d1ee31ce96db1b8997681b188a", "debfdac7bbcf64ee7518c19d6607854efaa32d530ab6c8c3dc1dbd6e39adbc62910f25d1ee31ce96db1b8997681b188a"),
        (10, "d16d0257e5c9db9c53e43f6717c63fc4431a5be4f60daf68d318bf3fab0bd85a52db739f429df29b2fa69dbb0c449a71", "d16d0257e5c9db9c53e43f6717c63fc4431a5be4f60daf68d318bf3fab0bd85a52db739f429df29b2fa69dbb0c449a71"),
    ];

    #[test]
    fn released_migrations_keep_their_text_on_both_backends() {
        let postgres = migrations(Backend::Postgres).unwrap();
        let sqlite = migrations(Backend::Sqlite).unwrap();
        let checksums: Vec<(i64, String, String)> = postgres
            .iter()
            .zip(&sqlite)
            .map(|(p, s)| (p.version, hex(&p.checksum), hex(&s.checksum)))
            .collect();
        for (version, on_postgres, on_sqlite) in RELEASED {
            let Some((_, postgres, sqlite)) = checksums.iter().find(|c| c.0 == *version) else {
                panic!("migration {version} was released and is gone");
            };
            assert_eq!(
                postgres, on_postgres,
                "migration {version} changed on PostgreSQL"
            );
            assert_eq!(sqlite, on_sqlite, "migration {version} changed on SQLite");
        }
        // A new migration is added here with its file, so that it is held from then on.
        for (version, postgres, sqlite) in &checksums {
            assert!(
                RELEASED.iter().any(|r| r.0 == *version),
                "add migration {version} to RELEASED: ({version}, \"{postgres}\", \"{sqlite}\")"
            );
        }
    }

    #[test]
    fn every_file_is_a_migration_in_order_with_a_word_for_each_name() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut on_disk: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let listed: Vec<&str> = FILES.iter().map(|(file, _)| *file).collect();
        assert_eq!(
            on_disk, listed,
            "FILES lists server/migrations/, oldest first"
        );
        for backend in [Backend::Postgres, Backend::Sqlite] {
            let all = migrations(backend).unwrap();
            let versions: Vec<i64> = all.iter().map(|m| m.version).collect();
            assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
            assert!(all.iter().all(|m| !m.sql.contains("{{")));
        }
        assert_eq!(migrations(Backend::Sqlite).unwrap()[0].description, "init");
    }

    #[test]
    fn a_name_without_a_word_is_refused_by_file_and_name() {
        let refused = expand(Backend::Sqlite, "0011_x.sql", "a {{money}} b").unwrap_err();
        assert_eq!(refused, "0011_x.sql: {{money}} has no word on sqlite");
        let refused = expand(Backend::Postgres, "0011_x.sql", "a {{bytes").unwrap_err();
        assert_eq!(refused, "0011_x.sql: a {{ with no }}");
        assert_eq!(
            expand(Backend::Postgres, "f", "x {{bytes}} y").unwrap(),
            "x BYTEA y"
        );
    }
}
