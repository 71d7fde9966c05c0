//! rtctl: tooling for real-time (Socket.IO) notification fleets.
//!
//! Pure modules (`plan`, `simulate`, `output`, `units`, and `fleet` apart from `Fleet::load`)
//! hold the logic; this file only dispatches, and I/O stays at the edges.

pub mod bench;
pub mod cli;
pub mod cli_adapter;
pub mod device_id;
pub mod devices;
pub mod engine;
pub mod error;
pub mod fleet;
pub mod gateway;
pub mod gen;
pub mod heartbeat;
pub mod output;
pub mod plan;
pub mod publish;
pub mod redis_conn;
pub mod redis_schema;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod simulate;
pub mod status;
pub mod top;
pub mod units;

use std::io::Write;

use cli::{Cli, Command, SimulateCommand};
use error::{Error, Result};
use output::Style;

/// Logs go to stderr; `-v` raises the level, `RUST_LOG` overrides it. A server (`serve`)
/// logs at info by default (start-up, connection ceiling, drain); reports log warnings only.
pub fn init_tracing(verbose: u8, server: bool) {
    use tracing_subscriber::EnvFilter;
    let level = match verbose + u8::from(server) {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

/// The keys of a key file; errors name the file.
fn read_keys(path: &std::path::Path) -> Result<serve::token::Keys> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    serve::token::Keys::parse(&text)
        .map_err(|m| Error::flag("--key-file", format!("{}: {m}", path.display())))
}

/// `rtctl token issue`: a token signed with the key file's first key.
fn token_issue(args: &cli::TokenIssueArgs) -> Result<String> {
    device_id::DeviceId::parse_as("--device", &args.device)
        .map_err(|m| Error::flag("--device", m))?;
    for d in &args.departments {
        serve::identity::check_id("--department", d).map_err(|m| Error::flag("--department", m))?;
    }
    let ttl = serve::token::parse_ttl(&args.ttl).map_err(|m| Error::flag("--ttl", m))?;
    let keys = read_keys(&args.key_file)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Ok(keys.issue(&serve::token::Claims {
        sub: args.device.clone(),
        departments: args.departments.clone(),
        user: args.user.clone(),
        iat: now,
        exp: now.saturating_add(ttl),
    }))
}

/// `--redis-ca FILE`: the CA `rediss://` connections trust (exit 3 when unreadable or not PEM).
fn redis_ca(path: Option<&std::path::Path>) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    let pem = std::fs::read(path).map_err(|source| Error::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let n = redis_conn::set_tls_roots(pem)
        .map_err(|m| Error::flag("--redis-ca", format!("{}: {m}", path.display())))?;
    tracing::info!(file = %path.display(), certificates = n, "rediss:// trusts only this CA");
    Ok(())
}

/// The node's API keys: `--api-keys FILE` (validated now: exit 3 naming the line and field)
/// and/or `--api-key` (named `default`, scope publish); `None` leaves the API open.
fn api_keys(
    file: Option<&std::path::Path>,
    key: Option<&str>,
) -> Result<Option<std::sync::Arc<serve::api_keys::ApiKeys>>> {
    use serve::api_keys::ApiKeys;
    let keys = match (file, key) {
        (Some(path), key) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
                path: path.to_path_buf(),
                source,
            })?;
            let k = ApiKeys::from_file(path, &text, key).map_err(|e| Error::BadLine {
                path: path.to_path_buf(),
                line: e.line,
                message: format!("{}: {}", e.field, e.message),
            })?;
            let set = k.snapshot();
            if set.keys.is_empty() {
                tracing::warn!(file = %path.display(), "no [[key]] in the API keys file: every publish and read is refused until one is added");
            }
            tracing::info!(file = %path.display(), keys = set.keys.len(), "API keys loaded; the file is re-read when it changes");
            k
        }
        (None, Some(k)) => ApiKeys::single(k),
        (None, None) => return Ok(None),
    };
    Ok(Some(std::sync::Arc::new(keys)))
}

/// `rtctl serve`: resolve the flags, raise the fd limit, run until SIGTERM/SIGINT.
fn serve_command(args: &cli::ServeArgs) -> Result<()> {
    let s = resolve::serve(args)?;
    let listen: std::net::SocketAddr = s.listen.parse().map_err(|_| {
        Error::flag(
            "--listen",
            format!("expected ADDR:PORT, got {:?}", s.listen),
        )
    })?;
    let api_key = args.api_key.clone().filter(|k| !k.is_empty());
    if !listen.ip().is_loopback() && api_key.is_none() && args.api_keys.is_none() {
        return Err(Error::flag(
            "--api-key",
            format!(
                "required when listening on a non-loopback address ({listen}), or --api-keys FILE"
            ),
        ));
    }
    let api_keys = api_keys(args.api_keys.as_deref(), api_key.as_deref())?;
    if !(s.drain_timeout_secs >= 0.0 && s.drain_timeout_secs.is_finite()) {
        return Err(Error::flag(
            "--drain-timeout",
            format!("expected seconds ≥ 0, got {}", s.drain_timeout_secs),
        ));
    }
    redis_schema::Keys::new(&s.namespace).map_err(|m| Error::flag("--namespace", m))?;
    if !(s.log_max_age_secs >= 0.0 && s.log_max_age_secs.is_finite()) {
        return Err(Error::flag(
            "--log-max-age-secs",
            format!("expected seconds ≥ 0, got {}", s.log_max_age_secs),
        ));
    }
    if args.ping_interval_ms == 0 || args.ping_timeout_ms == 0 {
        return Err(Error::flag(
            "--ping-interval-ms",
            "ping interval and timeout must be above 0",
        ));
    }
    let durability = match args.durability {
        cli::DurabilityMode::Leader => serve::log::Durability::Leader,
        mode => {
            if s.redis.is_none() || args.replicas == 0 || args.replica_timeout_ms == 0 {
                return Err(Error::flag(
                    "--durability",
                    "replicated modes need --redis, --replicas ≥ 1 and --replica-timeout-ms > 0",
                ));
            }
            serve::log::Durability::Replicated {
                replicas: args.replicas,
                timeout: std::time::Duration::from_millis(args.replica_timeout_ms),
                aof: mode == cli::DurabilityMode::ReplicatedAof,
            }
        }
    };
    match (args.auth, &args.key_file) {
        (cli::AuthMode::Jwt, Some(path)) => {
            serve::identity::require_tokens(read_keys(path)?);
            tracing::info!(key_file = %path.display(), "devices must present a signed token (--auth jwt)");
        }
        (cli::AuthMode::Jwt, None) => {
            return Err(Error::flag(
                "--auth",
                "jwt needs --key-file FILE (one key per line)",
            ));
        }
        (cli::AuthMode::None, _) => {
            tracing::warn!(
                "--auth none: ANY CLIENT MAY CLAIM ANY DEVICE ID and receive its notifications \
                 and history; for development only, use --auth jwt --key-file FILE in production"
            );
        }
    }
    let node_id = s.node_id.clone().unwrap_or_else(|| listen.to_string());
    device_id::check_node_id("--node-id", &node_id).map_err(|m| Error::flag("--node-id", m))?;
    let fds = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(0);
    tracing::info!(fd_limit = fds, "open-file limit raised to the hard limit");
    let secs = |flag: &str, v: f64| {
        if v > 0.0 && v.is_finite() {
            Ok(std::time::Duration::from_secs_f64(v))
        } else {
            Err(Error::flag(flag, format!("expected seconds > 0, got {v}")))
        }
    };
    let mut trusted_proxies = Vec::new();
    for p in &args.trusted_proxies {
        trusted_proxies.push(
            p.parse::<engine::IpPrefix>()
                .map_err(|m| Error::flag("--trusted-proxy", m))?,
        );
    }
    for (flag, v) in [
        ("--max-unfinished-per-ip", args.max_unfinished_per_ip),
        ("--max-handshakes-per-ip", args.max_handshakes_per_ip),
        ("--max-connections", args.max_connections.unwrap_or(1)),
    ] {
        if v == 0 {
            return Err(Error::flag(flag, "expected at least 1"));
        }
    }
    if args.max_header_bytes < 8192 {
        return Err(Error::flag(
            "--max-header-bytes",
            format!("expected at least 8192, got {}", args.max_header_bytes),
        ));
    }
    let auto_connections = (fds as usize)
        .saturating_sub(fleet::SERVE_FD_RESERVE as usize)
        .max(64);
    let max_connections = args.max_connections.unwrap_or(auto_connections);
    if fds > 0 && (max_connections + args.reserved_connections + 64) as u64 > fds {
        tracing::warn!(
            fd_limit = fds,
            max_connections,
            reserved = args.reserved_connections,
            "--max-connections plus --reserved-connections leave fewer than 64 descriptors for Redis and files"
        );
    }
    let http = engine::HttpLimits {
        max_connections,
        reserved_connections: args.reserved_connections,
        header_timeout: secs("--header-timeout-secs", args.header_timeout_secs)?,
        max_header_bytes: args.max_header_bytes,
        body_timeout: secs("--body-timeout-secs", args.body_timeout_secs)?,
        max_unfinished_per_ip: args.max_unfinished_per_ip,
        trusted_proxies,
    };
    tracing::info!(
        max_connections,
        reserved = args.reserved_connections,
        body_timeout_secs = args.body_timeout_secs,
        max_unfinished_per_ip = args.max_unfinished_per_ip,
        max_handshakes_per_ip = args.max_handshakes_per_ip,
        "connection limits"
    );
    let cfg = serve::ServeConfig {
        node_id,
        redis_url: s.redis.clone(),
        namespace: s.namespace.clone(),
        api_keys,
        drain_timeout: std::time::Duration::from_secs_f64(s.drain_timeout_secs),
        cors_origins: args.cors_origins.clone(),
        retention: serve::log::Retention {
            max_len: usize::try_from(s.log_max_len).unwrap_or(usize::MAX).max(1),
            max_age: (s.log_max_age_secs > 0.0)
                .then(|| std::time::Duration::from_secs_f64(s.log_max_age_secs)),
        },
        durability,
        idempotency_ttl: std::time::Duration::from_secs(args.idempotency_ttl_secs.max(1)),
        engine: engine::Config {
            ping_interval: std::time::Duration::from_millis(args.ping_interval_ms),
            ping_timeout: std::time::Duration::from_millis(args.ping_timeout_ms),
            max_queue_frames: args.max_queue_frames.max(2),
            // A device whose queue is full is caught up from the log, never skipped.
            overflow: engine::OverflowPolicy::MarkBehind,
            max_handshakes_per_ip: args.max_handshakes_per_ip,
            ..engine::Config::default()
        },
        http,
        data_dir: args.data_dir.clone(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("tokio runtime: {e}")))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| Error::flag("--listen", format!("cannot listen on {listen}: {e}")))?;
        let shutdown = tokio_util::sync::CancellationToken::new();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            stop.cancel();
        });
        let redis_url = cfg.redis_url.clone().unwrap_or_default();
        serve::run(cfg, listener, shutdown)
            .await
            .map_err(|e| match e {
                serve::ServeError::Redis { message, .. } => Error::Unreachable {
                    service: "redis",
                    addr: redis_conn::redact(&redis_url),
                    message,
                },
                serve::ServeError::Config(m) => Error::flag("serve", m),
                serve::ServeError::Io(e) => Error::Internal(e.to_string()),
            })
    })
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

fn render_proxy(
    kind: fleet::GatewayKind,
    args: &cli::RenderProxyArgs,
    out: &mut impl Write,
) -> Result<()> {
    let opts = render::Options {
        idle_timeout_secs: args.common.idle_timeout_secs,
        listen: args.listen.clone(),
        ..render::Options::default()
    };
    render_command(kind, &args.common, &opts, out)
}

/// `rtctl render-*`: resolve the fleet (the command's gateway when no file says otherwise),
/// render, print warnings on stderr, write the config to `--out` or stdout.
fn render_command(
    kind: fleet::GatewayKind,
    args: &cli::RenderArgs,
    opts: &render::Options,
    out: &mut impl Write,
) -> Result<()> {
    let mut fa = args.fleet.clone();
    if fa.fleet.is_none() && fa.gateway.is_none() {
        fa.gateway = Some(kind);
    }
    let fleet = resolve::fleet(&fa, None, None, None)?;
    let rendered = render::render(kind, &fleet, opts).map_err(|e| render_error(&fa, e))?;
    for w in &rendered.warnings {
        eprintln!("rtctl: warning: {w}");
    }
    write_out(args.out.as_deref(), &rendered.text, out)
}

fn process_inputs(
    args: &cli::ProcessArgs,
    set: impl FnOnce(&mut render::process::ProcessOptions),
) -> Result<(fleet::Fleet, render::process::ProcessOptions)> {
    let fleet = resolve::fleet(&args.fleet, None, None, None)?;
    let defaults = render::process::ProcessOptions::default();
    let file = args.fleet.fleet.as_deref();
    let fleet_path = match (&args.fleet_path, file) {
        (Some(p), _) => p.clone(),
        (None, Some(f)) => std::path::absolute(f)
            .map_err(|e| Error::ReadFile {
                path: f.to_path_buf(),
                source: e,
            })?
            .display()
            .to_string(),
        (None, None) => defaults.fleet_path.clone(),
    };
    let fa = &args.fleet;
    let changed = fa.nodes.is_some()
        || fa.gateway.is_some()
        || fa.algorithm.is_some()
        || fa.slots.is_some()
        || fa.devices.is_some();
    if file.is_none() || changed {
        eprintln!(
            "rtctl: warning: the nodes read {fleet_path} on their hosts; it must list the same nodes as this {}",
            if file.is_none() { "flag-only fleet" } else { "fleet with its flag overrides" }
        );
    }
    let mut opts = render::process::ProcessOptions {
        binary: args.binary.clone(),
        fleet_path,
        drain_timeout_secs: args.drain_timeout,
        data_dir: args.data_dir.clone(),
        ..defaults
    };
    set(&mut opts);
    Ok((fleet, opts))
}

/// A render error names a flag or a fleet field.
fn render_error(fa: &cli::FleetArgs, e: render::RenderError) -> Error {
    if e.field.starts_with("--") {
        Error::flag(e.field.clone(), e.message.clone())
    } else {
        Error::Fleet {
            path: fa.fleet.clone().unwrap_or_else(fleet::flags_path),
            location: None,
            message: e.to_string(),
        }
    }
}

/// Write rendered text to a file or stdout.
fn write_out(path: Option<&std::path::Path>, text: &str, out: &mut impl Write) -> Result<()> {
    match path {
        Some(path) => std::fs::write(path, text).map_err(|source| Error::Output {
            target: path.display().to_string(),
            source,
        }),
        None => out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(Error::stdout),
    }
}

/// `rtctl bench …`: flags to typed options, run on a tokio runtime, report, chart, profile.
fn bench_command(
    cmd: cli::BenchCommand,
    format: cli::OutputFormat,
    style: &Style,
    out: &mut impl Write,
) -> Result<()> {
    use cli::BenchCommand as B;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("tokio runtime: {e}")))?;
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let (scenario, args) = match cmd {
        B::Worker => {
            return rt
                .block_on(bench::worker::serve_stdin(out))
                .map_err(Error::Internal)
        }
        B::Calibrate(c) => {
            let profile =
                rt.block_on(bench::calibrate::calibrate(|s| bench_options(&c.bench, s)))?;
            let text = bench::calibrate::write(&profile, &c.out)?;
            return write_out(None, &text, out);
        }
        B::Idle(a) => (bench::Scenario::Idle, a),
        B::Fanout(a) => (bench::Scenario::Fanout, a),
        B::Throughput(a) => (bench::Scenario::Throughput, a),
        B::Jitter(a) => (bench::Scenario::Jitter, a),
        B::Avalanche(a) => (bench::Scenario::Avalanche, a),
    };
    let opts = bench_options(&args, scenario)?;
    let mut report = rt
        .block_on(bench::run(opts))
        .map_err(|e| bench_error(&args.url, e))?;
    if let Some(path) = &args.fleet {
        report.gateway = Some(bench::gateway::check(path, &report, args.seed)?);
    }
    if let Some(path) = &args.chart {
        let svg = bench::report::chart_svg(&report).map_err(Error::Internal)?;
        std::fs::write(path, svg).map_err(|source| Error::Output {
            target: path.display().to_string(),
            source,
        })?;
    }
    output::emit(&report, format, style, out)
}

/// A bench error: the node unreachable, or a flag.
fn bench_error(url: &str, e: String) -> Error {
    if e.starts_with("--") {
        let (flag, msg) = e.split_once(": ").unwrap_or((&e, ""));
        Error::flag(flag.to_string(), msg.to_string())
    } else {
        Error::Unreachable {
            service: "node",
            addr: url.to_string(),
            message: e,
        }
    }
}

fn bench_options(a: &cli::BenchArgs, scenario: bench::Scenario) -> Result<bench::Options> {
    let secs = |flag: &str, v: f64| {
        if v >= 0.0 && v.is_finite() {
            Ok(std::time::Duration::from_secs_f64(v))
        } else {
            Err(Error::flag(flag, format!("expected seconds ≥ 0, got {v}")))
        }
    };
    bench::parse_url(&a.url).map_err(|m| Error::flag("--url", m))?;
    for u in &a.also_url {
        bench::parse_url(u).map_err(|m| Error::flag("--also-url", m))?;
    }
    if let Some(p) = &a.publish_url {
        bench::parse_url(p).map_err(|m| Error::flag("--publish-url", m))?;
    }
    if a.devices == 0 {
        return Err(Error::flag("--devices", "expected at least 1"));
    }
    if a.workers == 0 {
        return Err(Error::flag("--workers", "expected at least 1"));
    }
    if !(a.rate > 0.0 && a.rate.is_finite()) {
        return Err(Error::flag(
            "--rate",
            format!("expected publishes/s > 0, got {}", a.rate),
        ));
    }
    if !(a.rate_factor > 1.0 && a.rate_factor.is_finite()) {
        return Err(Error::flag(
            "--rate-factor",
            format!("expected a factor > 1, got {}", a.rate_factor),
        ));
    }
    if !(a.p99_limit_ms > 0.0 && a.p99_limit_ms.is_finite()) {
        return Err(Error::flag(
            "--p99-limit-ms",
            format!("expected milliseconds > 0, got {}", a.p99_limit_ms),
        ));
    }
    if !(0.0..=1.0).contains(&a.cut_fraction) {
        return Err(Error::flag(
            "--cut-fraction",
            format!("expected a fraction in [0, 1], got {}", a.cut_fraction),
        ));
    }
    if a.restart_cmd.is_some() && a.failure != cli::BenchFailure::Kill {
        return Err(Error::flag(
            "--restart-cmd",
            "only with --failure kill (avalanche)",
        ));
    }
    use std::io::IsTerminal;
    Ok(bench::Options {
        scenario,
        url: a.url.trim_end_matches('/').to_string(),
        also_urls: a.also_url.clone(),
        publish_url: a.publish_url.clone(),
        api_key: a.api_key.clone(),
        devices: a.devices,
        departments: a.departments,
        seed: a.seed,
        join: match a.join {
            cli::BenchJoin::Event => bench::device::Join::Event,
            cli::BenchJoin::Header => bench::device::Join::Header,
            cli::BenchJoin::None => bench::device::Join::None,
        },
        transport: match a.transport {
            cli::BenchTransport::Websocket => bench::device::Transport::Websocket,
            cli::BenchTransport::Polling => bench::device::Transport::Polling,
        },
        workers: a.workers,
        src_ips: a.src_ip.clone(),
        connect_concurrency: a.connect_concurrency.max(1),
        connect_timeout: secs("--connect-timeout", a.connect_timeout)?,
        hold: secs("--hold", a.hold)?,
        rounds: a.rounds,
        rate: a.rate,
        duration: secs("--duration", a.duration)?,
        steps: a.steps,
        rate_factor: a.rate_factor,
        stop_after_fail: a.stop_after_fail,
        p99_limit_ms: a.p99_limit_ms,
        cut_fraction: a.cut_fraction,
        cut_every: secs("--cut-every", a.cut_every)?.max(std::time::Duration::from_millis(10)),
        failure: match a.failure {
            cli::BenchFailure::Cut => bench::Failure::Cut,
            cli::BenchFailure::Kill => bench::Failure::Kill,
        },
        restart_cmd: a.restart_cmd.clone(),
        reconnect_delay_ms: a.reconnect_delay_ms,
        reconnect_delay_max_ms: a.reconnect_delay_max_ms.max(a.reconnect_delay_ms),
        settle: secs("--settle", a.settle)?,
        payload_bytes: a.payload_bytes,
        publish_concurrency: a.publish_concurrency.max(1),
        server_pid: a.server_pid,
        redis: a.redis.clone(),
        namespace: a.namespace.clone(),
        sample_ms: 250,
        progress: std::io::stderr().is_terminal(),
    })
}

/// Run one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Plan(args) => {
            let report = cli_adapter::plan(&args)?;
            let style = Style::detect(args.report.color);
            output::emit(&report, args.report.output, &style, &mut out)
        }
        Command::Simulate(SimulateCommand::Nat(args)) => {
            let report = cli_adapter::simulate_nat(&args)?;
            let style = Style::detect(args.report.color);
            output::emit(&report, args.report.output, &style, &mut out)
        }
        Command::Simulate(SimulateCommand::Assign(args)) => {
            cli_adapter::simulate_assign(&args, args.output == cli::OutputFormat::Json, &mut out)
        }
        Command::Devices(cli::DevicesCommand::List(args)) => devices::list(&args, &mut out),
        Command::Devices(cli::DevicesCommand::Show(args)) => devices::show(&args, &mut out),
        Command::Devices(cli::DevicesCommand::Remove(args)) => devices::remove(&args, &mut out),
        Command::Devices(cli::DevicesCommand::NatReport(args)) => devices::nat(&args, &mut out),
        Command::Serve(args) => {
            redis_ca(args.redis_ca.as_deref())?;
            serve_command(&args)
        }
        Command::Token(cli::TokenCommand::Issue(args)) => {
            let token = token_issue(&args)?;
            writeln!(out, "{token}").map_err(|source| Error::Output {
                target: "stdout".into(),
                source,
            })
        }
        Command::RenderKong(args) => {
            let opts = render::Options {
                idle_timeout_secs: args.common.idle_timeout_secs,
                upstream: args.upstream.clone(),
                kong_version: args.kong_version.clone(),
                json: args.format == cli::KongFormat::Json,
                ..render::Options::default()
            };
            render_command(fleet::GatewayKind::Kong, &args.common, &opts, &mut out)
        }
        Command::RenderNginx(args) => render_proxy(fleet::GatewayKind::Nginx, &args, &mut out),
        Command::RenderHaproxy(args) => render_proxy(fleet::GatewayKind::Haproxy, &args, &mut out),
        Command::RenderPm2(args) => {
            let (fleet, opts) = process_inputs(&args.common, |o| o.log_dir = args.log_dir.clone())?;
            let r = render::process::pm2(&fleet, &opts)
                .map_err(|e| render_error(&args.common.fleet, e))?;
            for w in &r.warnings {
                eprintln!("rtctl: warning: {w}");
            }
            write_out(args.out.as_deref(), &r.text, &mut out)
        }
        Command::RenderSystemd(args) => {
            let (fleet, opts) = process_inputs(&args.common, |o| {
                o.env_dir = args.env_dir.clone();
                o.user = args.user.clone();
            })?;
            let files = render::process::systemd(&fleet, &opts)
                .map_err(|e| render_error(&args.common.fleet, e))?;
            match &args.out_dir {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|source| Error::Output {
                        target: dir.display().to_string(),
                        source,
                    })?;
                    for (name, text) in files {
                        let path = dir.join(name);
                        std::fs::write(&path, text).map_err(|source| Error::Output {
                            target: path.display().to_string(),
                            source,
                        })?;
                        writeln!(out, "{}", path.display()).map_err(Error::stdout)?;
                    }
                    Ok(())
                }
                None => {
                    let text: String = files
                        .iter()
                        .map(|(name, text)| format!("# ==> {name} <==\n{text}\n"))
                        .collect();
                    write_out(None, &text, &mut out)
                }
            }
        }
        Command::Top(args) => {
            redis_ca(args.watch.redis_ca.as_deref())?;
            let style = Style::detect(args.report.color);
            top::run(&args, args.report.output, &style, &mut out)
        }
        Command::Status(args) => {
            redis_ca(args.watch.redis_ca.as_deref())?;
            let style = Style::detect(args.report.color);
            status::run(&args, args.report.output, &style, &mut out)
        }
        Command::Publish(args) => publish::run(&args, args.output, &mut out),
        Command::Bench(cmd) => {
            let report = cmd.report();
            let style = Style::detect(report.color);
            bench_command(cmd, report.output, &style, &mut out)
        }
        Command::Generate(args) => {
            for path in gen::write_all(&args.out_dir)? {
                writeln!(out, "{}", path.display()).map_err(Error::stdout)?;
            }
            Ok(())
        }
    }
}
