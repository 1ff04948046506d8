//! The `portico` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};
use crate::{demo, orgs, store};

mod org_set;
use org_set::OrgSetArgs;

/// Portico: a self-hosted, embeddable customer billing portal.
#[derive(Parser)]
#[command(name = "portico", version, about)]
struct Cli {
    /// A TOML configuration file (also PORTICO_CONFIG). PORTICO_* variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal, the APIs and the site (the default).
    Serve(ServeArgs),
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage an organisation's API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Create or refresh the "Acme Cloud" demo organisation, then print a fresh API key
    /// and a portal link for each demo customer.
    Demo(DemoArgs),
    /// Bring the database's schema up to date and exit (ahead of a rolling deploy).
    Migrate,
    /// Manage an organisation's webhook endpoints (the same rules as /v1/webhook_endpoints).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Write a consistent copy of an SQLite database while it is in use (PostgreSQL:
    /// use pg_dump, see the README).
    Backup(BackupArgs),
}

#[derive(Subcommand)]
enum WebhookCommand {
    /// Add an endpoint; prints it as JSON with its signing secret, shown only this once.
    Create(WebhookCreateArgs),
    /// Print the organisation's endpoints as JSON, without secrets.
    List(WebhookOrgArgs),
    /// Remove an endpoint and its delivery log.
    Delete(WebhookIdArgs),
    /// Issue a new signing secret; the old one keeps signing for 24 hours. Prints the
    /// endpoint with the new secret.
    Rotate(WebhookIdArgs),
}

#[derive(Args)]
struct WebhookOrgArgs {
    /// The organisation's id.
    #[arg(long)]
    organisation: String,
}

#[derive(Args)]
struct WebhookCreateArgs {
    /// The organisation's id.
    #[arg(long)]
    organisation: String,
    /// Where events are posted: https on a public address (or a host in
    /// PORTICO_WEBHOOK_ALLOWED_HOSTS).
    #[arg(long)]
    url: String,
    /// An event type to send (repeatable); all of them when left out.
    #[arg(long = "event", value_name = "TYPE")]
    events: Vec<String>,
    #[arg(long)]
    description: Option<String>,
}

#[derive(Args)]
struct WebhookIdArgs {
    /// The organisation's id.
    #[arg(long)]
    organisation: String,
    /// The endpoint's id.
    id: String,
}

#[derive(Args)]
struct BackupArgs {
    /// The new file to write; an existing file is never overwritten.
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Also serve the demo's pages (`/demo/vendor`, which makes portal links for the demo
    /// customers for anyone who asks). Never on a public server.
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation and its first API key; prints one JSON line
    /// {"organisation": "<uuid>", "api_key": "<key>"}.
    Create(OrgCreateArgs),
    /// Change an organisation's settings (the same rules as PATCH /v1/settings); prints
    /// the settings as JSON. Options not given stay as they are.
    Set(Box<OrgSetArgs>),
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Issue a new API key; prints one JSON line
    /// {"api_key": "<key>", "prefix": "<prefix>", "scope": "<scope>"}. The key is shown
    /// only this once. Revoking it later ends the portal links it made.
    Create(KeyCreateArgs),
    /// Revoke the organisation's live keys that start with KEY_PREFIX (at least 8
    /// characters, as `key create` printed it); prints {"revoked": <count>}.
    Revoke(KeyRevokeArgs),
}

#[derive(Args)]
struct KeyCreateArgs {
    /// The organisation's id.
    #[arg(long)]
    organisation: String,
    /// A note to tell keys apart, e.g. "billing sync".
    #[arg(long, default_value = "cli")]
    label: String,
    /// What the key may do: `full` (everything), `read` (GET requests only) or `links`
    /// (only make portal links, for a vendor's web tier).
    #[arg(long, default_value = "full")]
    scope: String,
}

#[derive(Args)]
struct KeyRevokeArgs {
    /// The organisation's id.
    #[arg(long)]
    organisation: String,
    /// The start of the key to revoke.
    key_prefix: String,
}

#[derive(Args)]
struct OrgCreateArgs {
    /// The organisation's display name.
    #[arg(long)]
    name: String,
    /// An origin portal links may return to, e.g. https://app.vendor.example (repeatable).
    #[arg(long = "return-origin", value_name = "ORIGIN")]
    return_origins: Vec<String>,
    /// An origin allowed to embed the portal in an iframe (repeatable).
    #[arg(long = "embed-origin", value_name = "ORIGIN")]
    embed_origins: Vec<String>,
}

#[derive(Args)]
struct DemoArgs {
    /// Leave existing data alone: seed only into an empty database, and if the demo
    /// organisation exists, just print a fresh key and links for it.
    #[arg(long)]
    if_empty: bool,
}

/// Runs the command line and turns failures into a message and exit status 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("portico: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("portico: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref())?;
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => {
            config.demo |= args.demo;
            init_logging(&config.log, config.log_format);
            let server = crate::build(config.clone()).await?;
            tracing::info!(
                addr = %server.local_addr(),
                public_url = %config.public_url,
                database = %crate::config::redact_database_url(&config.database_url),
                demo = config.demo,
                "Portico is listening"
            );
            server
                .run(std::time::Duration::from_secs(config.shutdown_grace_secs))
                .await
        }
        Command::Org(OrgCommand::Create(args)) => {
            // Commands that print results keep stdout for them; only warnings go to stderr.
            init_logging("warn", config.log_format);
            let return_origins = normalise_all("--return-origin", &args.return_origins)?;
            let embed_origins = normalise_all("--embed-origin", &args.embed_origins)?;
            let name = args.name.trim();
            anyhow::ensure!(!name.is_empty(), "--name must not be empty");
            anyhow::ensure!(
                name.chars().count() <= 200,
                "--name is longer than 200 characters"
            );
            let store = store::connect(&config.database_url).await?;
            let (organisation, key) = orgs::create_organisation(
                store.as_ref(),
                name,
                return_origins,
                embed_origins,
                chrono::Utc::now(),
            )
            .await?;
            println!(
                "{}",
                serde_json::json!({"organisation": organisation.id, "api_key": key})
            );
            Ok(())
        }
        Command::Org(OrgCommand::Set(args)) => {
            init_logging("warn", config.log_format);
            let organisation_id = args.organisation.clone();
            let patch = args.patch()?;
            let store = store::connect(&config.database_url).await?;
            let mut organisation = store
                .get_organisation(&organisation_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("--organisation: no organisation has this id"))?;
            if let Err(problems) =
                crate::settings::apply(&mut organisation.name, &mut organisation.settings, patch)
            {
                let lines: Vec<String> = problems
                    .iter()
                    .map(|p| format!("{}: {}", p.field.replace('_', "-"), p.message))
                    .collect();
                anyhow::bail!("{}", lines.join("; "));
            }
            let saved = store
                .update_organisation(
                    &organisation.id,
                    &organisation.name,
                    &organisation.settings,
                    chrono::Utc::now(),
                )
                .await?
                .ok_or_else(|| anyhow::anyhow!("--organisation: no organisation has this id"))?;
            println!(
                "{}",
                serde_json::json!({"organisation": saved.id, "name": saved.name, "settings": saved.settings})
            );
            Ok(())
        }
        Command::Key(KeyCommand::Create(args)) => {
            init_logging("warn", config.log_format);
            let store = store::connect(&config.database_url).await?;
            anyhow::ensure!(
                store.get_organisation(&args.organisation).await?.is_some(),
                "--organisation: no organisation has this id"
            );
            anyhow::ensure!(
                !args.label.trim().is_empty() && args.label.chars().count() <= 100,
                "--label must be 1 to 100 characters"
            );
            let scope = store::KeyScope::parse(&args.scope).with_context(|| {
                format!("--scope: {:?} is not one of full, read, links", args.scope)
            })?;
            let key = orgs::issue_api_key(
                store.as_ref(),
                &args.organisation,
                args.label.trim(),
                scope,
                chrono::Utc::now(),
            )
            .await?;
            println!(
                "{}",
                serde_json::json!({
                    "api_key": key,
                    "prefix": crate::token::api_key_prefix(&key),
                    "scope": scope.as_str(),
                })
            );
            Ok(())
        }
        Command::Key(KeyCommand::Revoke(args)) => {
            init_logging("warn", config.log_format);
            // A short prefix could match many keys; "ptc_" alone would match them all.
            anyhow::ensure!(
                args.key_prefix.chars().count() >= 8,
                "KEY_PREFIX must be at least 8 characters, as `portico key create` printed it"
            );
            // The stored prefix is the key's first characters; a whole key matches it too.
            let prefix = crate::token::api_key_prefix(&args.key_prefix);
            let store = store::connect(&config.database_url).await?;
            let revoked = store
                .revoke_api_keys(&args.organisation, &prefix, chrono::Utc::now())
                .await?;
            anyhow::ensure!(
                revoked > 0,
                "KEY_PREFIX: no live key of this organisation starts with {:?}",
                args.key_prefix
            );
            println!("{}", serde_json::json!({ "revoked": revoked }));
            Ok(())
        }
        Command::Webhook(command) => {
            init_logging("warn", config.log_format);
            let store = store::connect(&config.database_url).await?;
            webhook_command(store.as_ref(), &config, command).await
        }
        Command::Migrate => {
            init_logging("warn", config.log_format);
            // Connecting applies what is missing; servers starting later find nothing to do.
            let store = store::connect(&config.database_url).await?;
            println!("The {} database is up to date.", store.backend().as_str());
            Ok(())
        }
        Command::Backup(args) => {
            init_logging("warn", config.log_format);
            anyhow::ensure!(
                !args.to.exists(),
                "--to: {} already exists; a backup never overwrites a file",
                args.to.display()
            );
            let path = args
                .to
                .to_str()
                .context("--to: the path is not valid UTF-8")?;
            let store = store::connect(&config.database_url).await?;
            anyhow::ensure!(
                store.backup_to(path).await.context("writing the backup")?,
                "backup is for SQLite; back PostgreSQL up with pg_dump (see the README)"
            );
            let bytes = std::fs::metadata(&args.to).map(|m| m.len()).unwrap_or(0);
            println!("{}", serde_json::json!({ "backup": path, "bytes": bytes }));
            Ok(())
        }
        Command::Demo(args) => {
            init_logging("warn", config.log_format);
            let store = store::connect(&config.database_url).await?;
            let demo_exists = store
                .get_organisation(&demo::demo_organisation_id())
                .await?
                .is_some();
            if args.if_empty && !demo_exists && store.count_organisations().await? > 0 {
                println!("The database already holds organisations; the demo was not added.");
                return Ok(());
            }
            let output = demo::run(store.as_ref(), &config, chrono::Utc::now(), !args.if_empty)
                .await
                .context("writing the demo records")?;
            println!(
                "Demo organisation: {} ({})",
                output.organisation.name, output.organisation.id
            );
            println!("API key (shown once): {}", output.api_key);
            println!(
                "Portal links (each works once, for {} minutes):",
                output.organisation.settings.link_lifetime_secs / 60
            );
            for (name, url) in output.links {
                println!("  {name}: {url}");
            }
            Ok(())
        }
    }
}

/// `portico webhook …`: prints one JSON value, or fails naming the option that is wrong.
async fn webhook_command(
    store: &dyn store::Store,
    config: &Config,
    command: WebhookCommand,
) -> anyhow::Result<()> {
    use crate::routes::webhooks::{self as api, EndpointInput, EndpointView};
    let organisation = match &command {
        WebhookCommand::Create(a) => &a.organisation,
        WebhookCommand::List(a) => &a.organisation,
        WebhookCommand::Delete(a) | WebhookCommand::Rotate(a) => &a.organisation,
    };
    anyhow::ensure!(
        store.get_organisation(organisation).await?.is_some(),
        "--organisation: no organisation has this id"
    );
    let now = chrono::Utc::now();
    let printed = match command {
        WebhookCommand::Create(args) => {
            let events = if args.events.is_empty() {
                vec!["*".to_owned()]
            } else {
                args.events
            };
            let input = EndpointInput {
                url: args.url,
                events,
                description: args.description,
            };
            let endpoint = api::new_endpoint(
                store,
                &config.webhook_allowed_hosts,
                &args.organisation,
                input,
                now,
            )
            .await
            .map_err(cli_error)?;
            serde_json::to_value(api::with_secret(endpoint))?
        }
        WebhookCommand::List(args) => {
            let endpoints: Vec<EndpointView> = store
                .list_webhook_endpoints(&args.organisation)
                .await?
                .into_iter()
                .map(EndpointView::from)
                .collect();
            serde_json::json!({ "data": endpoints })
        }
        WebhookCommand::Delete(args) => {
            anyhow::ensure!(
                store
                    .delete_webhook_endpoint(&args.organisation, &args.id)
                    .await?,
                "ID: the organisation has no webhook endpoint with this id"
            );
            serde_json::json!({ "deleted": args.id })
        }
        WebhookCommand::Rotate(args) => {
            let endpoint = store
                .rotate_webhook_secret(
                    &args.organisation,
                    &args.id,
                    &crate::webhooks::new_secret(),
                    now + crate::webhooks::ROTATION_OVERLAP,
                    now,
                )
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!("ID: the organisation has no webhook endpoint with this id")
                })?;
            serde_json::to_value(api::with_secret(endpoint))?
        }
    };
    println!("{printed}");
    Ok(())
}

/// An API error as a command-line message: `--url: must use https`.
fn cli_error(error: crate::error::ApiError) -> anyhow::Error {
    match error {
        crate::error::ApiError::Validation(fields) => {
            let lines: Vec<String> = fields
                .iter()
                .map(|f| {
                    let option = f.field.split('[').next().unwrap_or(&f.field);
                    let option = if option == "events" { "event" } else { option };
                    format!("--{}: {}", option.replace('_', "-"), f.message)
                })
                .collect();
            anyhow::anyhow!("{}", lines.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

fn normalise_all(flag: &str, origins: &[String]) -> anyhow::Result<Vec<String>> {
    origins
        .iter()
        .map(|o| orgs::normalise_origin(o).map_err(|why| anyhow::anyhow!("{flag}: {why}")))
        .collect()
}

fn init_logging(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => logs.try_init(),
        // One object a line; a request's lines carry its span, with the request id.
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .try_init(),
    };
}
