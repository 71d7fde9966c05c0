//! rtctl: tooling for real-time (Socket.IO) notification fleets.
//!
//! Pure modules (`plan`, `simulate`, `output`, `fleet`, `units`) hold the logic; this file only
//! dispatches, and I/O stays at the edges.

pub mod bench;
pub mod cli;
pub mod engine;
pub mod error;
pub mod fleet;
pub mod gen;
pub mod output;
pub mod plan;
pub mod redis_schema;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod simulate;
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

/// `rtctl serve`: resolve the flags, raise the fd limit, run until SIGTERM/SIGINT.
fn serve_command(args: &cli::ServeArgs) -> Result<()> {
    let listen: std::net::SocketAddr = args.listen.parse().map_err(|_| {
        Error::flag(
            "--listen",
            format!("expected ADDR:PORT, got {:?}", args.listen),
        )
    })?;
    if !listen.ip().is_loopback() && args.api_key.as_deref().is_none_or(str::is_empty) {
        return Err(Error::flag(
            "--api-key",
            format!("required when listening on a non-loopback address ({listen})"),
        ));
    }
    if !(args.drain_timeout >= 0.0 && args.drain_timeout.is_finite()) {
        return Err(Error::flag(
            "--drain-timeout",
            format!("expected seconds ≥ 0, got {}", args.drain_timeout),
        ));
    }
    redis_schema::Keys::new(&args.namespace).map_err(|m| Error::flag("--namespace", m))?;
    if !(args.log_max_age_secs >= 0.0 && args.log_max_age_secs.is_finite()) {
        return Err(Error::flag(
            "--log-max-age-secs",
            format!("expected seconds ≥ 0, got {}", args.log_max_age_secs),
        ));
    }
    if args.ping_interval_ms == 0 || args.ping_timeout_ms == 0 {
        return Err(Error::flag(
            "--ping-interval-ms",
            "ping interval and timeout must be above 0",
        ));
    }
    let node_id = args.node_id.clone().unwrap_or_else(|| listen.to_string());
    serve::identity::check_id("--node-id", &node_id).map_err(|m| Error::flag("--node-id", m))?;
    let fds = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(0);
    tracing::info!(
        fd_limit = fds,
        connection_ceiling = fds.saturating_sub(64),
        "open-file limit raised to the hard limit"
    );
    let cfg = serve::ServeConfig {
        node_id,
        redis_url: args.redis.clone(),
        namespace: args.namespace.clone(),
        api_key: args.api_key.clone().filter(|k| !k.is_empty()),
        drain_timeout: std::time::Duration::from_secs_f64(args.drain_timeout),
        cors_origins: args.cors_origins.clone(),
        retention: serve::log::Retention {
            max_len: args.log_max_len.max(1),
            max_age: (args.log_max_age_secs > 0.0)
                .then(|| std::time::Duration::from_secs_f64(args.log_max_age_secs)),
        },
        engine: engine::Config {
            ping_interval: std::time::Duration::from_millis(args.ping_interval_ms),
            ping_timeout: std::time::Duration::from_millis(args.ping_timeout_ms),
            max_queue_frames: args.max_queue_frames.max(2),
            // A device whose queue is full is caught up from the log, never skipped.
            overflow: engine::OverflowPolicy::MarkBehind,
            ..engine::Config::default()
        },
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
                    addr: redis_url,
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
    let mut opts = render::process::ProcessOptions {
        binary: args.binary.clone(),
        drain_timeout_secs: args.drain_timeout,
        ..Default::default()
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
    if !(0.0..=1.0).contains(&a.cut_fraction) {
        return Err(Error::flag(
            "--cut-fraction",
            format!("expected a fraction in [0, 1], got {}", a.cut_fraction),
        ));
    }
    use std::io::IsTerminal;
    Ok(bench::Options {
        scenario,
        url: a.url.trim_end_matches('/').to_string(),
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
        workers: a.workers,
        src_ips: a.src_ip.clone(),
        connect_concurrency: a.connect_concurrency.max(1),
        connect_timeout: secs("--connect-timeout", a.connect_timeout)?,
        hold: secs("--hold", a.hold)?,
        rounds: a.rounds,
        rate: a.rate,
        duration: secs("--duration", a.duration)?,
        steps: a.steps,
        p99_limit_ms: a.p99_limit_ms,
        cut_fraction: a.cut_fraction,
        cut_every: secs("--cut-every", a.cut_every)?.max(std::time::Duration::from_millis(10)),
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
    let style = Style::detect(cli.color);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Plan(args) => {
            let report = plan::run(&args)?;
            output::emit(&report, cli.output, &style, &mut out)
        }
        Command::Simulate(SimulateCommand::Nat(args)) => {
            let report = simulate::nat::run(&args)?;
            output::emit(&report, cli.output, &style, &mut out)
        }
        Command::Simulate(SimulateCommand::Assign(args)) => {
            simulate::assign::run(&args, cli.output == cli::OutputFormat::Json, &mut out)
        }
        Command::Serve(args) => serve_command(&args),
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
        Command::Bench(cmd) => bench_command(cmd, cli.output, &style, &mut out),
        Command::Generate(args) => {
            for path in gen::write_all(&args.out_dir)? {
                writeln!(out, "{}", path.display()).map_err(Error::stdout)?;
            }
            Ok(())
        }
    }
}
