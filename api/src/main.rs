//! `reintegration`: serve the API, migrate a database, or print the OpenAPI document.

use std::process::ExitCode;

use api::config::{DatabaseArgs, LogFormat, ServeArgs};
use api::startup::{Application, build_pool, prepare_database};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "reintegration", version, about = "Reintegration Assistance Program case-management API")]
struct Cli {
    /// Log format: one JSON object per line, or human-readable.
    #[arg(long, env = "REINTEGRATION_LOG_FORMAT", value_enum, default_value_t = LogFormat::Json, global = true)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate, load the reference data and serve HTTP.
    Serve(ServeArgs),
    /// Apply pending migrations and load the reference data, then exit.
    Migrate(DatabaseArgs),
    /// Print the OpenAPI document (what `openapi/openapi.json` must hold).
    Openapi,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    api::telemetry::init(cli.log_format);
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Migrate(args) => migrate(&args),
        Command::Openapi => {
            print!("{}", api::apidoc::document_json());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "reintegration failed");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&args).await?;
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn migrate(args: &DatabaseArgs) -> Result<(), Box<dyn std::error::Error>> {
    let pool = build_pool(&args.database_url, 1)?;
    prepare_database(&pool)?;
    tracing::info!("database is up to date");
    Ok(())
}
