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
    Serve(Box<ServeArgs>),
    /// Apply pending migrations and load the reference data, then exit.
    Migrate(DatabaseArgs),
    /// Print the OpenAPI document (what `openapi/openapi.json` must hold).
    Openapi,
    /// Administration from the command line.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Fill the database with synthetic registrations (fixed random seed) for benchmarks.
    Seed {
        /// How many cases to add.
        #[arg(long)]
        cases: u64,
        /// The random seed: the same seed and count give the same data.
        #[arg(long, default_value_t = 2017)]
        seed: u64,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Print the endpoint table (method, path, who may call it) as Markdown, as in the README.
    Endpoints,
    /// Print the catalogue of error codes (code, status, meaning, what to do) as Markdown, as in the README.
    ErrorCodes,
    /// Serve a bare actix-web JSON endpoint (`POST /echo`): the benchmark's baseline.
    #[command(hide = true)]
    BenchBaseline {
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: std::net::SocketAddr,
    },
    /// Write registrations as raw SQL transactions for a while and print how many per second:
    /// the benchmark's baseline for creating a person and a case.
    #[command(hide = true)]
    BenchRawRegistrations {
        /// The NGO the rows belong to.
        #[arg(long)]
        organization_id: String,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Distinguishes the personal numbers of several runs on one database (0–99).
        #[arg(long, default_value_t = 0)]
        run: u64,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Request services on one eligible case through the request action and print their ids, one
    /// a line: the services the approval benchmark approves.
    #[command(hide = true)]
    BenchRequestServices {
        #[arg(long)]
        case_id: String,
        /// The NGO caseworker who requests them (R12: the approvals must be by someone else).
        #[arg(long)]
        requested_by_user_id: String,
        #[arg(long)]
        count: usize,
        #[arg(long, default_value_t = 10_000)]
        amount_tetri: u64,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Approve requested services as raw SQL transactions on one grant for a while and print the
    /// approvals per second and the refusals for want of money: the benchmark's baseline for
    /// `POST /services/{id}/approve`.
    #[command(hide = true)]
    BenchRawApprovals {
        #[arg(long)]
        grant_id: String,
        /// The NGO the grant and the services belong to.
        #[arg(long)]
        organization_id: String,
        /// The NGO manager who approves (not the requester, R12).
        #[arg(long)]
        decided_by_user_id: String,
        /// What each service was requested for (all the same).
        #[arg(long, default_value_t = 10_000)]
        amount_tetri: u64,
        /// The services to approve, one id a line.
        #[arg(long)]
        services_file: std::path::PathBuf,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 50)]
        connections: usize,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Print a new Ed25519 signing key (PKCS#8 PEM) for `--jwt-signing-key-file`.
    GenerateKey,
    /// The audit trail (R13): verify its hash chain, redact an event's content (R14).
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and print what it found (as `GET /api/v1/audit-events/verify`); exits
    /// with failure when the chain is broken.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Clear one event's before/after content for a lawful erasure (R14, the Law on Personal Data
    /// Protection), keeping its digest in the chain; the erasure is itself an audit event.
    Redact {
        /// The event's id.
        #[arg(long)]
        event_id: String,
        /// The legal ground, recorded with the erasure.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an administrator. The password is read from standard input (one line) or, on a
    /// terminal, asked for twice; never from a flag.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    api::telemetry::init(cli.log_format);
    let result = match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Admin(AdminCommand::Create { username, full_name, database }) => {
            create_admin(&database, &username, &full_name)
        }
        Command::Seed { cases, seed, database } => seed_database(&database, cases, seed),
        Command::Endpoints => {
            print!("{}", api::routes::markdown_table());
            Ok(())
        }
        Command::ErrorCodes => {
            print!("{}", api::error::markdown_catalogue());
            Ok(())
        }
        Command::BenchBaseline { listen } => api::bench::serve_baseline(listen).map_err(Into::into),
        Command::BenchRawRegistrations { organization_id, seconds, connections, run, database } => {
            raw_registrations(&database, &organization_id, seconds, connections, run)
        }
        Command::BenchRequestServices { case_id, requested_by_user_id, count, amount_tetri, database } => {
            request_services(&database, &case_id, &requested_by_user_id, count, amount_tetri)
        }
        Command::BenchRawApprovals {
            grant_id,
            organization_id,
            decided_by_user_id,
            amount_tetri,
            services_file,
            seconds,
            connections,
            database,
        } => {
            let approval = api::bench::RawApproval { grant_id, organization_id, decided_by_user_id, amount_tetri };
            raw_approvals(&database, &approval, &services_file, seconds, connections)
        }
        Command::GenerateKey => api::auth::keys::generate_private_pem().map(|pem| print!("{pem}")).map_err(Into::into),
        Command::Migrate(args) => migrate(&args),
        Command::Audit(AuditCommand::Verify { database }) => verify_audit(&database),
        Command::Audit(AuditCommand::Redact { event_id, reason, database }) => {
            redact_audit(&database, &event_id, &reason)
        }
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

fn read_password() -> Result<String, Box<dyn std::error::Error>> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat the password: ")?;
        if first != second {
            return Err("the passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn create_admin(database: &DatabaseArgs, username: &str, full_name: &str) -> Result<(), Box<dyn std::error::Error>> {
    let password = read_password()?;
    let pool = build_pool(database, 1)?;
    prepare_database(&pool)?;
    let user = api::bootstrap::create_admin(&pool, username, full_name, &password)?;
    println!("created administrator {} ({})", user.username, user.id);
    Ok(())
}

fn seed_database(database: &DatabaseArgs, cases: u64, seed: u64) -> Result<(), Box<dyn std::error::Error>> {
    let pool = build_pool(database, 2)?;
    prepare_database(&pool)?;
    api::seed::seed(&pool, cases, seed)?;
    Ok(())
}

fn raw_registrations(
    database: &DatabaseArgs,
    organization_id: &str,
    seconds: u64,
    connections: usize,
    run: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let url = persistence::DatabaseUrl::parse(&database.database_url)?;
    let per_second = api::bench::raw_registrations(&url, organization_id, seconds, connections.max(1), run % 100)
        .map_err(|e| e.to_string())?;
    println!("{per_second:.1}");
    Ok(())
}

fn request_services(
    database: &DatabaseArgs,
    case_id: &str,
    requested_by_user_id: &str,
    count: usize,
    amount_tetri: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let pool = build_pool(database, 1)?;
    let ids = api::bench::request_services(&pool, case_id, requested_by_user_id, count, amount_tetri)
        .map_err(|e| e.to_string())?;
    println!("{}", ids.join("\n"));
    Ok(())
}

fn raw_approvals(
    database: &DatabaseArgs,
    approval: &api::bench::RawApproval,
    services_file: &std::path::Path,
    seconds: u64,
    connections: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let url = persistence::DatabaseUrl::parse(&database.database_url)?;
    let services: Vec<String> =
        std::fs::read_to_string(services_file)?.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect();
    let result =
        api::bench::raw_approvals(&url, approval, services, seconds, connections.max(1)).map_err(|e| e.to_string())?;
    println!("{:.1} {} {}", result.per_second, result.grant_exceeded, if result.ran_out { "ran_out" } else { "" });
    Ok(())
}

fn migrate(args: &DatabaseArgs) -> Result<(), Box<dyn std::error::Error>> {
    let pool = build_pool(args, 1)?;
    prepare_database(&pool)?;
    tracing::info!("database is up to date");
    Ok(())
}

fn verify_audit(database: &DatabaseArgs) -> Result<(), Box<dyn std::error::Error>> {
    let pool = build_pool(database, 1)?;
    prepare_database(&pool)?;
    let mut conn = pool.get()?;
    if api::routes::audit::verify_from_command(&mut conn).map_err(|e| format!("{:?}", e.internal))? {
        Ok(())
    } else {
        Err("the audit trail's hash chain is broken".into())
    }
}

fn redact_audit(database: &DatabaseArgs, event_id: &str, reason: &str) -> Result<(), Box<dyn std::error::Error>> {
    let pool = build_pool(database, 1)?;
    prepare_database(&pool)?;
    let mut conn = pool.get()?;
    persistence::in_write_transaction(&mut conn, &persistence::Actor::System, None, |tx| {
        persistence::repo::audit::redact(tx, event_id, reason)
    })?;
    println!("redacted the content of audit event {event_id}; its digest stays in the chain");
    Ok(())
}
