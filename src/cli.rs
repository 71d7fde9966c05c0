//! The command line, clap derive only. Behaviour lives in the subcommand modules.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

use crate::fleet::{GatewayKind, HashAlgorithm};
use crate::units::Bytes;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  internal error (a bug in rtctl)
  2  usage error (unknown flag, missing value)
  3  bad input (invalid fleet file, keys file or flag value)
  4  a service (Redis, a node) could not be reached
  5  an output could not be written (a closed stdout, as in `rtctl ... | head -1`, ends
     quietly with 0)
  6  status: the fleet is degraded (a node gone, missing, stale, draining or not ready)
  7  publish, devices: the node refused the request (HTTP 4xx, e.g. 404 unknown device)
  8  publish, devices: the node failed (HTTP 5xx, e.g. 503 no registry)";

/// rtctl: tooling for Socket.IO notification fleets behind one NAT.
///
/// Size a fleet (`plan`), predict where Kong, nginx or HAProxy send each device (`simulate`),
/// render their configs (`render-*`), run the notification nodes (`serve`), watch them (`top`,
/// `status`), send them notifications (`publish`) and measure them (`bench`).
#[derive(Debug, Parser)]
#[command(name = "rtctl", version, about, long_about = None, after_long_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

impl Cli {
    /// Parse `std::env::args`, keeping the order of `simulate nat`'s --add/--remove/--down.
    pub fn parse_ordered() -> Cli {
        use clap::CommandFactory;
        let matches = Cli::command().get_matches();
        Cli::from_matches_ordered(&matches).unwrap_or_else(|e| e.exit())
    }

    /// [`Cli::parse_ordered`] from an argument list.
    pub fn try_parse_ordered_from<I, T>(argv: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::CommandFactory;
        Cli::from_matches_ordered(&Cli::command().try_get_matches_from(argv)?)
    }

    fn from_matches_ordered(matches: &clap::ArgMatches) -> Result<Cli, clap::Error> {
        use clap::FromArgMatches;
        let mut cli = Cli::from_arg_matches(matches)?;
        if let Command::Simulate(SimulateCommand::Nat(args)) = &mut cli.command {
            let m = matches
                .subcommand_matches("simulate")
                .and_then(|m| m.subcommand_matches("nat"))
                .expect("parsed as simulate nat");
            let mut changes = Vec::new();
            for (id, make) in [
                ("add", NatChange::Add as fn(String) -> NatChange),
                ("remove", NatChange::Remove),
                ("down", NatChange::Down),
            ] {
                if let (Some(at), Some(values)) = (m.indices_of(id), m.get_many::<String>(id)) {
                    changes.extend(at.zip(values).map(|(i, v)| (i, make(v.clone()))));
                }
            }
            changes.sort_by_key(|(i, _)| *i);
            args.changes = changes.into_iter().map(|(_, c)| c).collect();
        }
        Ok(cli)
    }
}

/// How a command that prints a report prints it (`plan`, `simulate nat`); only those take
/// these flags.
#[derive(Debug, Clone, Copy, Args)]
pub struct ReportArgs {
    /// Report format: human tables or JSON for scripts.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Table, env = "RTCTL_OUTPUT")]
    pub output: OutputFormat,

    /// Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable tables.
    Table,
    /// One JSON document on stdout.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Size a fleet: per-node ceiling, load distribution, failure headroom, reconnect storms and
    /// the number of nodes needed.
    #[command(after_long_help = EXIT_CODES)]
    Plan(PlanArgs),
    /// Predict where a real gateway sends each device.
    #[command(subcommand)]
    Simulate(SimulateCommand),
    /// Run a notification node: Socket.IO for devices, the publish API, health and metrics.
    #[command(after_long_help = EXIT_CODES)]
    Serve(ServeArgs),
    /// Render a Kong 3.x declarative config (YAML or JSON) from the fleet file.
    #[command(after_long_help = EXIT_CODES)]
    RenderKong(RenderKongArgs),
    /// Render an nginx config (sticky on the device id) from the fleet file.
    #[command(after_long_help = EXIT_CODES)]
    RenderNginx(RenderProxyArgs),
    /// Render an HAProxy config (sticky on the device id) from the fleet file.
    #[command(after_long_help = EXIT_CODES)]
    RenderHaproxy(RenderProxyArgs),
    /// Render a PM2 ecosystem file running one `rtctl serve` per node (fork mode).
    #[command(name = "render-pm2", after_long_help = EXIT_CODES)]
    RenderPm2(RenderPm2Args),
    /// Render a systemd template unit rtctl@.service and one environment file per node.
    #[command(name = "render-systemd", after_long_help = EXIT_CODES)]
    RenderSystemd(RenderSystemdArgs),
    /// Live per-node dashboard of the fleet from the heartbeats in Redis (a snapshot table off
    /// a terminal or with --once).
    #[command(after_long_help = EXIT_CODES)]
    Top(TopArgs),
    /// The fleet's state for scripts: heartbeats and each node's /health/ready, as a table or
    /// JSON; exit 0 when healthy, 6 when degraded, 4 when Redis is unreachable.
    #[command(after_long_help = EXIT_CODES)]
    Status(StatusArgs),
    /// Send a notification through a node's (or the gateway's) publish API; prints the offset.
    #[command(after_long_help = EXIT_CODES)]
    Publish(PublishArgs),
    /// Signed connection tokens for `rtctl serve --auth jwt`.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The device registry, through a node's HTTP API: registered devices, whether and on
    /// which node each is connected, and where their public IPs would send them.
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// Measure a node or a gateway with simulated devices: idle memory, fan-out latency,
    /// throughput, reconnect jitter and avalanches, counting every lost notification.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Write shell completions and man pages generated from this command line.
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Registered devices (GET /api/v1/devices), with whether and on which node each is
    /// connected now.
    #[command(after_long_help = EXIT_CODES)]
    List(DevicesListArgs),
    /// One registered device (GET /api/v1/devices/ID).
    #[command(after_long_help = EXIT_CODES)]
    Show(DevicesShowArgs),
    /// Decommission a device: remove its record from the registry (DELETE /api/v1/devices/ID;
    /// needs a publish-scope API key). A device still connected stays connected; registering
    /// again records it anew.
    #[command(after_long_help = EXIT_CODES)]
    Remove(DevicesShowArgs),
    /// Devices per public IP (their last_ip_address), and how the fleet's gateway would spread
    /// them when hashing on the client IP compared with hashing on the device id.
    #[command(name = "nat-report", after_long_help = EXIT_CODES)]
    NatReport(DevicesNatArgs),
}

/// How `rtctl devices` and `rtctl publish` reach a node's HTTP API.
#[derive(Debug, Clone, Args)]
pub struct NodeApiArgs {
    /// Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway
    /// in front of the nodes.
    #[arg(long, env = "RTCTL_URL", value_name = "URL", value_hint = ValueHint::Url)]
    pub url: String,
    /// The node's API key, sent as `Authorization: Bearer <key>`.
    #[arg(
        long,
        env = "RTCTL_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub timeout: f64,
}

#[derive(Debug, Args)]
pub struct DevicesListArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub api: NodeApiArgs,
    /// Only this department's devices.
    #[arg(long, value_name = "ID")]
    pub department: Option<String>,
    /// Only devices connected now.
    #[arg(long, conflicts_with = "offline")]
    pub online: bool,
    /// Only devices not connected now.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct DevicesShowArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub api: NodeApiArgs,
    /// The device id.
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct DevicesNatArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub api: NodeApiArgs,
    /// Fleet file (TOML): its nodes and gateway. Without it the guide's 3-node Kong fleet.
    #[arg(long, short = 'f', env = "RTCTL_FLEET", value_hint = ValueHint::FilePath)]
    pub fleet: Option<PathBuf>,
    /// Replace the fleet's nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...
    #[arg(long, value_name = "N")]
    pub nodes: Option<u32>,
    /// Gateway in front of the nodes.
    #[arg(long, value_enum)]
    pub gateway: Option<GatewayKind>,
    /// Only this department's devices.
    #[arg(long, value_name = "ID")]
    pub department: Option<String>,
    /// Public IPs listed in the table (the largest); JSON lists them all.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print an HS256 token naming a device, the departments it may join and its user; the
    /// device sends it as `auth.token`.
    #[command(after_long_help = EXIT_CODES)]
    Issue(TokenIssueArgs),
}

#[derive(Debug, Args)]
pub struct TokenIssueArgs {
    /// The device id the token proves.
    #[arg(long, value_name = "ID")]
    pub device: String,
    /// A department the device may join (repeat for several).
    #[arg(long = "department", value_name = "ID")]
    pub departments: Vec<String>,
    /// The user id.
    #[arg(long, value_name = "ID")]
    pub user: Option<String>,
    /// Lifetime: 30d, 12h, 15m, 90s or seconds.
    #[arg(long, default_value = "30d", value_name = "TTL")]
    pub ttl: String,
    /// Key file: one key per line (at least 32 bytes); the first signs.
    #[arg(long, env = "RTCTL_KEY_FILE", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub key_file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Connect the devices, hold them, read the node's memory per connection, then check one
    /// broadcast reaches everyone.
    #[command(after_long_help = EXIT_CODES)]
    Idle(BenchArgs),
    /// Rounds of one broadcast, one department notification and one direct notification:
    /// p50 / p99 / time to the last receiver per kind.
    #[command(after_long_help = EXIT_CODES)]
    Fanout(BenchArgs),
    /// Broadcasts at a rate growing by --rate-factor every step (doubling by default) until
    /// deliveries stop draining (with --stop-after-fail: until a step loses or its p99 passes
    /// --p99-limit-ms): the deliveries per second sustained with 0 lost and p99 within the limit.
    #[command(after_long_help = EXIT_CODES)]
    Throughput(BenchArgs),
    /// Notifications while a fraction of the connections is cut again and again: delivered
    /// ÷ expected once everyone is back.
    #[command(after_long_help = EXIT_CODES)]
    Jitter(BenchArgs),
    /// Drop every connection at once (or, with --failure kill, kill the node) while
    /// notifications are published: time until all devices are back and caught up.
    #[command(after_long_help = EXIT_CODES)]
    Avalanche(BenchArgs),
    /// Run idle, fanout and throughput against one node and write its profile (memory per
    /// connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`.
    #[command(after_long_help = EXIT_CODES)]
    Calibrate(CalibrateArgs),
    /// One worker process of `--workers` (reads its spec and commands on stdin).
    #[command(hide = true)]
    Worker,
}

impl BenchCommand {
    /// How the command's report is printed (`worker` reports over its pipe: the defaults).
    pub fn report(&self) -> ReportArgs {
        match self {
            BenchCommand::Idle(a)
            | BenchCommand::Fanout(a)
            | BenchCommand::Throughput(a)
            | BenchCommand::Jitter(a)
            | BenchCommand::Avalanche(a) => a.report,
            BenchCommand::Calibrate(c) => c.bench.report,
            BenchCommand::Worker => ReportArgs {
                output: OutputFormat::Table,
                color: ColorChoice::Auto,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchJoin {
    /// `subscribe-department` on every connect, as the guide's client does.
    Event,
    /// The x-department-id handshake header.
    Header,
    /// No department.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchTransport {
    /// One WebSocket per device from the start.
    Websocket,
    /// Engine.IO long-polling only (a long-poll GET and a POST connection per device: 2 sockets).
    Polling,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchFailure {
    /// End every device's connection at once (the node stays up).
    Cut,
    /// SIGKILL the node (--server-pid, or the process listening on --url's port); --restart-cmd
    /// starts it again, else its supervisor must.
    Kill,
}

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    /// The node or gateway devices connect to (and publishes go to).
    #[arg(
        long,
        default_value = "http://127.0.0.1:3000",
        value_name = "http://HOST:PORT"
    )]
    pub url: String,
    /// More nodes of the fleet: devices are spread round robin over --url and these (device i
    /// on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are
    /// the nodes' sum when they run on this machine.
    #[arg(long, value_delimiter = ',', value_name = "http://HOST:PORT")]
    pub also_url: Vec<String>,
    /// Where publishes go when not --url (a gateway that only routes Socket.IO).
    #[arg(long, value_name = "http://HOST:PORT")]
    pub publish_url: Option<String>,
    /// Bearer key of the publish API.
    #[arg(
        long,
        env = "RTCTL_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,
    /// Simulated devices (ids in the guide's `<type>_<8 hex>` format).
    #[arg(long, short = 'n', default_value_t = 1000)]
    pub devices: usize,
    /// Departments the devices are spread over (device i in dept-(i mod D)).
    #[arg(long, default_value_t = 50)]
    pub departments: usize,
    /// How devices join their department.
    #[arg(long, value_enum, default_value_t = BenchJoin::Event)]
    pub join: BenchJoin,
    /// How devices talk to the node.
    #[arg(long, value_enum, default_value_t = BenchTransport::Websocket)]
    pub transport: BenchTransport,
    /// Seed of the device ids.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on
    /// loopback each gets its own source address 127.0.0.(10+k).
    #[arg(long, default_value_t = 1)]
    pub workers: usize,
    /// Source addresses to connect from (split over the workers).
    #[arg(long, value_delimiter = ',', value_name = "IP")]
    pub src_ip: Vec<std::net::IpAddr>,
    /// Handshakes in flight at once.
    #[arg(long, default_value_t = 200)]
    pub connect_concurrency: usize,
    /// Bound of the connect phase, seconds.
    #[arg(long, default_value_t = 180.0, value_name = "SECS")]
    pub connect_timeout: f64,
    /// idle: seconds to hold the connections.
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub hold: f64,
    /// fanout: rounds of (broadcast, department, device).
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Publishes per second (throughput: the first step's rate).
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,
    /// Seconds of publishing (per throughput step; jitter's length; avalanche: rate × this
    /// many publishes while the devices are away).
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub duration: f64,
    /// throughput: at most this many steps.
    #[arg(long, default_value_t = 6)]
    pub steps: usize,
    /// throughput: each step's rate is the previous one's times this (> 1; e.g. 1.41 for
    /// finer steps than doubling).
    #[arg(long, default_value_t = 2.0, value_name = "F")]
    pub rate_factor: f64,
    /// throughput: end the ramp at the first step that is not sustained (any loss, or p99
    /// above --p99-limit-ms), not only once deliveries stop draining.
    #[arg(long)]
    pub stop_after_fail: bool,
    /// throughput: a step whose p99 is above this does not count as sustained.
    #[arg(long, default_value_t = 250.0, value_name = "MS")]
    pub p99_limit_ms: f64,
    /// jitter: fraction of the connected devices cut each time.
    #[arg(long, default_value_t = 0.1)]
    pub cut_fraction: f64,
    /// jitter: seconds between cuts.
    #[arg(long, default_value_t = 1.0, value_name = "SECS")]
    pub cut_every: f64,
    /// avalanche: how every device is taken away at once.
    #[arg(long, value_enum, default_value_t = BenchFailure::Cut)]
    pub failure: BenchFailure,
    /// avalanche with --failure kill: shell command (sh -c) that starts the node again, run
    /// right after the kill, detached, its output discarded (redirect it in the command).
    #[arg(long, value_name = "CMD")]
    pub restart_cmd: Option<String>,
    /// socket.io-client's reconnectionDelay (ms; randomized ±50%, doubling per attempt).
    #[arg(long, default_value_t = 1000)]
    pub reconnect_delay_ms: u64,
    /// socket.io-client's reconnectionDelayMax (ms).
    #[arg(long, default_value_t = 5000)]
    pub reconnect_delay_max_ms: u64,
    /// Longest wait for deliveries (and reconnections) to complete, seconds.
    #[arg(long, default_value_t = 30.0, value_name = "SECS")]
    pub settle: f64,
    /// Approximate notification payload size in bytes.
    #[arg(long, default_value_t = 100)]
    pub payload_bytes: usize,
    /// Publish requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub publish_concurrency: usize,
    /// The node's pid, for its CPU time and memory (default: the local process listening on
    /// --url's port, if any).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from
    /// the nodes' heartbeats at the end.
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// Key namespace of the fleet in Redis.
    #[arg(long, default_value = "default")]
    pub namespace: String,
    /// Write an SVG chart of latency percentiles and connections over time.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub chart: Option<PathBuf>,
    /// Against a gateway: a fleet file describing it, to compare devices per node with what
    /// `simulate` predicts for the same ids and with plan's p99 band.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub fleet: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub bench: BenchArgs,
    /// Where to write the node profile (TOML).
    #[arg(long = "out", default_value = "node-profile.toml", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum SimulateCommand {
    /// Devices behind NAT: per-node histogram, skew against theory, and what moves when a node
    /// is added, removed or marked down.
    #[command(after_long_help = EXIT_CODES)]
    Nat(NatArgs),
    /// Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it
    /// (JSON Lines with `--output json`).
    #[command(after_long_help = EXIT_CODES)]
    Assign(AssignArgs),
}

/// Where the fleet comes from: a fleet file, flags, or both (flags win).
#[derive(Debug, Clone, Default, Args)]
pub struct FleetArgs {
    /// Fleet file (TOML); see fixtures/fleet.toml. Without it the guide's 3-node Kong fleet is
    /// assumed and flags describe the rest.
    #[arg(long, short = 'f', env = "RTCTL_FLEET", value_hint = ValueHint::FilePath)]
    pub fleet: Option<PathBuf>,

    /// Replace the fleet's nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...
    #[arg(long, value_name = "N")]
    pub nodes: Option<u32>,

    /// Gateway in front of the nodes.
    #[arg(long, value_enum)]
    pub gateway: Option<GatewayKind>,

    /// Gateway hashing algorithm.
    #[arg(long, value_enum)]
    pub algorithm: Option<HashAlgorithm>,

    /// Kong upstream slots (10..=65536).
    #[arg(long)]
    pub slots: Option<u32>,

    /// Number of devices.
    #[arg(long, short = 'n')]
    pub devices: Option<u64>,
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Node profile")]
pub struct ProfileArgs {
    /// Cores available for deliveries on each node.
    #[arg(long)]
    pub cpu_cores: Option<f64>,
    /// Fraction of the CPU budget planning may use, in (0, 1].
    #[arg(long)]
    pub cpu_target: Option<f64>,
    /// Host memory, e.g. 16GB or 16GiB.
    #[arg(long)]
    pub memory: Option<Bytes>,
    /// Memory not available to connections (OS, runtime heap).
    #[arg(long)]
    pub reserved_memory: Option<Bytes>,
    /// Open-file limit of the node process.
    #[arg(long)]
    pub fd_limit: Option<u64>,
    /// Descriptors kept for listeners, Redis, logs and files.
    #[arg(long)]
    pub fd_reserve: Option<u64>,
    /// Memory per connected device, e.g. 30KB.
    #[arg(long)]
    pub memory_per_connection: Option<Bytes>,
    /// CPU milliseconds per delivery (one packet to one socket).
    #[arg(long)]
    pub cpu_ms_per_delivery: Option<f64>,
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Workload")]
pub struct WorkloadArgs {
    /// Departments the devices are spread over.
    #[arg(long)]
    pub departments: Option<u64>,
    /// Broadcasts to all devices, fleet-wide, per minute.
    #[arg(long)]
    pub broadcasts_per_minute: Option<f64>,
    /// Department notifications, fleet-wide, per minute.
    #[arg(long)]
    pub department_messages_per_minute: Option<f64>,
    /// Direct notifications, fleet-wide, per minute.
    #[arg(long)]
    pub direct_messages_per_minute: Option<f64>,
    /// Socket.IO pingInterval in seconds.
    #[arg(long)]
    pub ping_interval_secs: Option<f64>,
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Device reconnection (socket.io-client options)")]
pub struct ClientArgs {
    /// reconnectionDelay in ms.
    #[arg(long)]
    pub reconnection_delay_ms: Option<f64>,
    /// reconnectionDelayMax in ms.
    #[arg(long)]
    pub reconnection_delay_max_ms: Option<f64>,
    /// randomizationFactor, 0..=1.
    #[arg(long)]
    pub randomization_factor: Option<f64>,
    /// reconnectionAttempts; 0 = unlimited (the client's default).
    #[arg(long)]
    pub reconnection_attempts: Option<u32>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    #[command(flatten)]
    pub client: ClientArgs,

    /// Percentile of the most loaded node that must fit, e.g. 99 or 99.9.
    #[arg(long, default_value_t = 99.0, help_heading = "Sizing")]
    pub percentile: f64,
    /// Fraction of each node's ceiling to keep free at that percentile, in [0, 1).
    #[arg(long, default_value_t = 0.2, help_heading = "Sizing")]
    pub headroom: f64,
    /// Node failures the fleet must survive (with the survivors still within their ceiling).
    #[arg(long, default_value_t = 1, help_heading = "Sizing")]
    pub failures: u32,
    /// Seconds until a failed node's devices can connect again (gateway detection or restart).
    /// Default per gateway: nginx 0 (next upstream on a refused connect), Kong 15, HAProxy 6
    /// (active health checks).
    #[arg(long, help_heading = "Sizing")]
    pub outage_secs: Option<f64>,
    /// Largest node count to consider.
    #[arg(long, default_value_t = 512, help_heading = "Sizing")]
    pub max_nodes: u32,
    /// Show the formula behind every number.
    #[arg(long)]
    pub explain: bool,
    /// A node profile measured by `rtctl bench calibrate`: its figures replace the assumed
    /// ones (flags still win), and the report says which figures are measured.
    #[arg(long = "profile", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub profile_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyKind {
    /// The client's public IP (what ip-hash balancing sees: the NAT address).
    Ip,
    /// The header x-device-id (absent on a browser's WebSocket handshake).
    Header,
    /// The query argument deviceId (always present).
    Query,
    /// A cookie (Kong sets its own; nginx/HAProxy only see one after the first response).
    Cookie,
    /// The fleet file's sticky_keys, primary then fallback.
    Fleet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientKind {
    /// socket.io-client under Node.js or React Native: extraHeaders on every request.
    Node,
    /// A browser: no custom headers on the WebSocket handshake.
    Browser,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportKind {
    /// HTTP long-polling first, then upgrade to WebSocket (socket.io-client's default).
    Polling,
    /// `transports: ["websocket"]`.
    Websocket,
}

#[derive(Debug, Args)]
pub struct NatArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,

    /// Read device ids from this file (one per line) instead of generating them.
    #[arg(long, value_hint = ValueHint::FilePath)]
    pub ids_file: Option<PathBuf>,
    /// Public IPs the devices share (1 = all behind one NAT, the enterprise case).
    #[arg(long, default_value_t = 1)]
    pub public_ips: u32,
    /// What the gateway hashes on.
    #[arg(long, value_enum, default_value_t = KeyKind::Fleet)]
    pub key: KeyKind,
    /// Which socket.io-client the devices run.
    #[arg(long, value_enum, default_value_t = ClientKind::Node)]
    pub client: ClientKind,
    /// Engine.IO transports of the clients.
    #[arg(long, value_enum, default_value_t = TransportKind::Polling)]
    pub transport: TransportKind,
    /// Kong version, e.g. 3.9 (3.8-3.9 ignore a hash header whose name contains '-').
    #[arg(long)]
    pub kong_version: Option<String>,
    /// Also show what moves when this node is added (ADDR:PORT). --add, --remove and --down
    /// apply in the order given, each on top of the ones before it.
    #[arg(long, value_name = "ADDR:PORT")]
    pub add: Vec<String>,
    /// Also show what moves when this node (id or ADDR:PORT) is removed from the config.
    #[arg(long, value_name = "NODE")]
    pub remove: Vec<String>,
    /// Also show what moves when this node (id or ADDR:PORT) is marked down.
    #[arg(long, value_name = "NODE")]
    pub down: Vec<String>,
    /// --add/--remove/--down in command-line order (filled by `Cli::parse_ordered`; empty
    /// means adds, then removes, then downs).
    #[arg(skip)]
    pub changes: Vec<NatChange>,
    /// RNG seed for device ids and their public IPs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Width of the bar chart in characters.
    #[arg(long, default_value_t = 40)]
    pub bar_width: usize,
}

/// One change `simulate nat` applies to the gateway config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NatChange {
    Add(String),
    Remove(String),
    Down(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssignGateway {
    Kong,
    NginxConsistent,
    NginxHash,
    HaproxyConsistent,
    HaproxyMap,
}

/// `rtctl simulate assign`: the gateway and its targets from a fleet file or from flags (which
/// win).
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// Fleet file (TOML): its gateway algorithm, slots and nodes (weights, HAProxy ids).
    #[arg(long, short = 'f', env = "RTCTL_FLEET", value_hint = ValueHint::FilePath)]
    pub fleet: Option<PathBuf>,
    /// `table`: `key<TAB>ADDR:PORT` lines; `json`: JSON Lines `{"key":…,"target":…}`.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Table, env = "RTCTL_OUTPUT")]
    pub output: OutputFormat,
    /// Gateway algorithm (required without a fleet file).
    #[arg(long, value_enum, required_unless_present = "fleet")]
    pub gateway: Option<AssignGateway>,
    /// A target, in config order: `ADDR:PORT[,weight=W][,id=N]`. Repeat per target. Replaces
    /// the fleet's nodes (required without a fleet file).
    #[arg(
        long = "target",
        value_name = "ADDR:PORT[,weight=W][,id=N]",
        required_unless_present = "fleet"
    )]
    pub targets: Vec<String>,
    /// Kong slots (10..=65536). Default: the fleet's, else 10000.
    #[arg(long)]
    pub slots: Option<u32>,
    /// A target marked down/unhealthy (kept in the config). Repeatable.
    #[arg(long, value_name = "ADDR:PORT")]
    pub down: Vec<String>,
    /// File of keys, one per line ("-" for stdin).
    #[arg(long, value_hint = ValueHint::FilePath)]
    pub keys: PathBuf,
}

/// `rtctl serve`. With a fleet file, the node's listen address, the Redis URL and namespace, the
/// log retention and the drain timeout come from the file (`[[nodes]]`, `[redis]`, `[serve]`);
/// flags and RTCTL_* variables override them.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Fleet file (TOML): run the node `--node-id` names, with the fleet's settings.
    #[arg(long, short = 'f', env = "RTCTL_FLEET", value_hint = ValueHint::FilePath)]
    pub fleet: Option<PathBuf>,
    /// Address to listen on. Default: the node's `listen` or `host:port` in the fleet file,
    /// else 127.0.0.1:3000.
    #[arg(long, env = "RTCTL_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// This node's id (reported in x-rtctl-node, /health, heartbeats); required with a fleet
    /// file, where it must be one of its nodes. Default without one: the listen address.
    #[arg(long, env = "RTCTL_NODE_ID", value_name = "ID")]
    pub node_id: Option<String>,
    /// Redis URL: the shared log and heartbeats. Without it, one node with an in-memory log.
    /// `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` (DB: the database index, default 0): a
    /// server or any node of a Redis Cluster (comma-separate several cluster nodes), or
    /// `redis+sentinel://HOST:PORT,HOST:PORT/MASTER` (a primary found and followed through
    /// Redis Sentinel). `rediss://` and `rediss+sentinel://` for TLS (see --redis-ca). Default:
    /// the fleet file's `[redis] url`.
    #[arg(long, env = "RTCTL_REDIS_URL", value_name = "URL")]
    pub redis: Option<String>,
    /// CA certificate(s), PEM, that signed the Redis server's certificate (`rediss://` URLs):
    /// trusted instead of the system's roots.
    #[arg(long, env = "RTCTL_REDIS_CA", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub redis_ca: Option<PathBuf>,
    /// Require `Authorization: Bearer KEY` on the publish API (required off loopback).
    #[arg(
        long,
        env = "RTCTL_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// Named API keys with scopes, a TOML file of `[[key]] name, secret (or sha256), scope =
    /// "publish" | "read"`. Re-read when it changes (and on SIGHUP): removing an entry revokes
    /// the key without a restart. With it, `/metrics` and `/health` need a key too (any scope);
    /// `/health/live` and `/health/ready` never do. `--api-key` adds a key named `default`.
    #[arg(long, env = "RTCTL_API_KEYS", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub api_keys: Option<PathBuf>,
    /// Seconds to drain on SIGTERM/SIGINT before exiting. Default: the fleet's
    /// `[serve] drain_timeout_secs`, else 10.
    #[arg(long, env = "RTCTL_DRAIN_TIMEOUT", value_name = "SECS")]
    pub drain_timeout: Option<f64>,
    /// Browser origins allowed to use long-polling (repeat, or comma-separated; `*` for any).
    #[arg(
        long = "cors-origin",
        env = "RTCTL_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    pub cors_origins: Vec<String>,
    /// Key namespace in Redis (one per fleet). Default: the fleet's `[redis] namespace`, else
    /// "default".
    #[arg(long, env = "RTCTL_NAMESPACE")]
    pub namespace: Option<String>,
    /// Entries the log keeps (older ones are trimmed); devices away longer get notification:gap.
    /// Default: the fleet's `[serve] log_max_len`, else 100000.
    #[arg(long, env = "RTCTL_LOG_MAX_LEN")]
    pub log_max_len: Option<u64>,
    /// Seconds the log keeps an entry (0 = no age limit). Default: the fleet's
    /// `[serve] log_max_age_secs`, else 86400.
    #[arg(long, env = "RTCTL_LOG_MAX_AGE_SECS")]
    pub log_max_age_secs: Option<f64>,
    /// Socket.IO pingInterval in milliseconds.
    #[arg(long, env = "RTCTL_PING_INTERVAL_MS", default_value_t = 25_000)]
    pub ping_interval_ms: u64,
    /// Socket.IO pingTimeout in milliseconds.
    #[arg(long, env = "RTCTL_PING_TIMEOUT_MS", default_value_t = 20_000)]
    pub ping_timeout_ms: u64,
    /// Frames a device's send queue holds; a device over it is caught up from the log instead.
    #[arg(long, env = "RTCTL_MAX_QUEUE_FRAMES", default_value_t = 4096)]
    pub max_queue_frames: usize,
    /// Open connections served (default: the open-file limit minus 512, which leaves room
    /// for the reserved connections, Redis and files).
    #[arg(long, env = "RTCTL_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
    /// Connections beyond --max-connections kept for health checks, metrics and the API (one
    /// request each; Socket.IO gets 503 there).
    #[arg(
        long,
        env = "RTCTL_RESERVED_CONNECTIONS",
        default_value_t = 64,
        value_name = "N"
    )]
    pub reserved_connections: usize,
    /// Seconds a client has to send a request head.
    #[arg(
        long,
        env = "RTCTL_HEADER_TIMEOUT_SECS",
        default_value_t = 30.0,
        value_name = "SECS"
    )]
    pub header_timeout_secs: f64,
    /// Largest request head (request line and headers) in bytes; larger ones get 431.
    #[arg(long, env = "RTCTL_MAX_HEADER_BYTES", default_value_t = 32 * 1024, value_name = "BYTES")]
    pub max_header_bytes: usize,
    /// Seconds a client has to send a request body, once its head has arrived.
    #[arg(
        long,
        env = "RTCTL_BODY_TIMEOUT_SECS",
        default_value_t = 10.0,
        value_name = "SECS"
    )]
    pub body_timeout_secs: f64,
    /// Requests with a body still arriving, per client IP (429 beyond).
    #[arg(
        long,
        env = "RTCTL_MAX_UNFINISHED_PER_IP",
        default_value_t = 1024,
        value_name = "N"
    )]
    pub max_unfinished_per_ip: usize,
    /// Engine.IO sessions per client IP not yet connected to a namespace (429 beyond).
    #[arg(
        long,
        env = "RTCTL_MAX_HANDSHAKES_PER_IP",
        default_value_t = 10_000,
        value_name = "N"
    )]
    pub max_handshakes_per_ip: usize,
    /// Gateway (IP or CIDR) whose X-Forwarded-For names the client, for the per-IP limits and
    /// the client-IP figures in heartbeats (`rtctl top`'s NAT-trap alert); repeat, or
    /// comma-separate. Other peers are the client themselves.
    #[arg(
        long = "trusted-proxy",
        env = "RTCTL_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub trusted_proxies: Vec<String>,
    /// Device authentication: `none` (any client may claim any device id; development only,
    /// logged loudly) or `jwt` (every CONNECT carries `auth.token` from `rtctl token issue`).
    #[arg(long, env = "RTCTL_AUTH", value_enum, default_value_t = AuthMode::None)]
    pub auth: AuthMode,
    /// Token keys for `--auth jwt`: one per line, all accepted (two during a rotation).
    #[arg(long, env = "RTCTL_KEY_FILE", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub key_file: Option<PathBuf>,
    /// Keep the device registry (POST /api/v1/devices/register) on disk in DIR when the node
    /// runs without --redis (with --redis it is in Redis). Without either, registration
    /// answers 503.
    #[arg(long, env = "RTCTL_DATA_DIR", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub data_dir: Option<PathBuf>,
    /// When a publish is acknowledged (202). Every node of a fleet must use the same mode.
    #[arg(long, env = "RTCTL_DURABILITY", value_enum, default_value_t = DurabilityMode::Leader)]
    pub durability: DurabilityMode,
    /// Replicas that must confirm a publish with --durability replicated or replicated-aof.
    #[arg(long, env = "RTCTL_REPLICAS", default_value_t = 1, value_name = "N")]
    pub replicas: u32,
    /// How long a publish waits for its replicas before it is refused with 503.
    #[arg(
        long,
        env = "RTCTL_REPLICA_TIMEOUT_MS",
        default_value_t = 500,
        value_name = "MS"
    )]
    pub replica_timeout_ms: u64,
    /// How long an Idempotency-Key is remembered: a publish retried with the same key within
    /// it returns the first id and is delivered once.
    #[arg(
        long,
        env = "RTCTL_IDEMPOTENCY_TTL_SECS",
        default_value_t = 86_400,
        value_name = "SECS"
    )]
    pub idempotency_ttl_secs: u64,
}

/// `rtctl serve --durability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DurabilityMode {
    /// Once Redis's primary has it (in memory, on disk per its appendfsync).
    Leader,
    /// Once --replicas replicas confirm it (WAIT) within --replica-timeout-ms; else 503 and it
    /// is never delivered.
    Replicated,
    /// As replicated, with the replicas' append-only files fsynced (WAITAOF, Redis >= 7.2).
    ReplicatedAof,
}

/// How devices prove who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    /// No proof: any client may claim any device id.
    None,
    /// A signed token (HS256) in `auth.token`.
    Jwt,
}

/// What every render command takes.
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Write the config to FILE instead of stdout.
    #[arg(long = "out", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
    /// Idle timeout of proxied WebSocket and polling connections, in seconds; must be above
    /// pingInterval + pingTimeout.
    #[arg(long, default_value_t = 3600, value_name = "SECS")]
    pub idle_timeout_secs: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KongFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct RenderKongArgs {
    #[command(flatten)]
    pub common: RenderArgs,
    /// Config syntax (Kong reads both).
    #[arg(long, value_enum, default_value_t = KongFormat::Yaml)]
    pub format: KongFormat,
    /// Upstream name, also the service host (a hostname, not an IP).
    #[arg(long, default_value = "sio-fleet.internal", value_name = "HOSTNAME")]
    pub upstream: String,
    /// Kong version the config is for (3.x); overrides the fleet's kong_version.
    #[arg(long, value_name = "VERSION")]
    pub kong_version: Option<String>,
}

#[derive(Debug, Args)]
pub struct RenderProxyArgs {
    #[command(flatten)]
    pub common: RenderArgs,
    /// Address the gateway listens on.
    #[arg(long, default_value = "0.0.0.0:8080", value_name = "IP:PORT")]
    pub listen: String,
}

/// What the process-manager renderers take.
#[derive(Debug, Clone, Args)]
pub struct ProcessArgs {
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Absolute path of the rtctl binary on the hosts.
    #[arg(long, default_value = "/usr/local/bin/rtctl", value_name = "PATH")]
    pub binary: String,
    /// Where the fleet file is on the hosts: each node runs `rtctl serve -f PATH --node-id ID`.
    /// Default: the absolute path of the -f file, else /etc/rtctl/fleet.toml.
    #[arg(long, value_name = "PATH")]
    pub fleet_path: Option<String>,
    /// Drain timeout of every node, seconds, overriding the fleet's `[serve] drain_timeout_secs`
    /// (the process manager waits 5 s longer).
    #[arg(long, value_name = "SECS")]
    pub drain_timeout: Option<u32>,
    /// Parent of the node's device-registry directory: a single-node fleet without [redis]
    /// runs `rtctl serve ... --data-dir DIR/<node-id>` (systemd makes it a StateDirectory
    /// under /var/lib). Not passed with Redis (the registry is in Redis) or to several nodes
    /// without it (they would keep separate registries).
    #[arg(long, default_value = "/var/lib/rtctl", value_name = "DIR")]
    pub data_dir: String,
}

#[derive(Debug, Args)]
pub struct RenderPm2Args {
    #[command(flatten)]
    pub common: ProcessArgs,
    /// Write the ecosystem file to FILE instead of stdout.
    #[arg(long = "out", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
    /// Directory for the nodes' log files.
    #[arg(long, default_value = "/var/log/rtctl", value_name = "DIR")]
    pub log_dir: String,
}

#[derive(Debug, Args)]
pub struct RenderSystemdArgs {
    #[command(flatten)]
    pub common: ProcessArgs,
    /// Write `rtctl@.service` and `<node>.env` into DIR instead of printing them.
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub out_dir: Option<PathBuf>,
    /// Where the environment files live on the hosts.
    #[arg(long, default_value = "/etc/rtctl", value_name = "DIR")]
    pub env_dir: String,
    /// The service user.
    #[arg(long, default_value = "rtctl")]
    pub user: String,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory that receives completions/ and man/.
    #[arg(long, default_value = ".", value_hint = ValueHint::DirPath)]
    pub out_dir: PathBuf,
}

/// Where `top` and `status` read the fleet from.
#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Redis URL the nodes write heartbeats to (a cluster: any node, or several comma-separated).
    /// Default: the fleet file's `[redis] url`.
    #[arg(long, env = "RTCTL_REDIS_URL", value_name = "URL")]
    pub redis: Option<String>,
    /// CA certificate(s), PEM, that signed the Redis server's certificate (`rediss://` URLs):
    /// trusted instead of the system's roots.
    #[arg(long, env = "RTCTL_REDIS_CA", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub redis_ca: Option<PathBuf>,
    /// Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted
    /// shares) and the profile (`plan`'s per-node ceiling).
    #[arg(long, short = 'f', env = "RTCTL_FLEET", value_hint = ValueHint::FilePath)]
    pub fleet: Option<PathBuf>,
    /// The fleet's namespace (as given to `serve --namespace`).
    #[arg(long, env = "RTCTL_NAMESPACE", default_value = "default")]
    pub namespace: String,
}

#[derive(Debug, Args)]
pub struct TopArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub watch: WatchArgs,
    /// Seconds between refreshes (one Redis round trip each).
    #[arg(long, default_value_t = 1.0, value_name = "SECS")]
    pub interval: f64,
    /// Print one snapshot table and exit (also what happens off a terminal).
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub watch: WatchArgs,
    /// Seconds to wait for each node's /health/ready.
    #[arg(long, default_value_t = 2.0, value_name = "SECS")]
    pub timeout: f64,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["department", "device", "all"])))]
pub struct PublishArgs {
    /// Output format: the offset as text, or JSON for scripts.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Table, env = "RTCTL_OUTPUT")]
    pub output: OutputFormat,
    // --url, --api-key and --timeout (per request), as `rtctl devices` has them
    #[command(flatten)]
    pub api: NodeApiArgs,
    /// Send to every device of this department.
    #[arg(long, value_name = "ID")]
    pub department: Option<String>,
    /// Send to one device.
    #[arg(long, value_name = "ID")]
    pub device: Option<String>,
    /// Send to every device.
    #[arg(long)]
    pub all: bool,
    /// The notification, as JSON (default `{}`).
    #[arg(long, value_name = "JSON", conflicts_with = "payload_file")]
    pub payload: Option<String>,
    /// Read the notification (JSON) from a file ("-" for stdin).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub payload_file: Option<PathBuf>,
    /// Send the notification this many times (a smoke load; progress bar on a terminal).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub count: u64,
    /// At most this many requests per second with --count (0: as fast as the node answers).
    #[arg(long, default_value_t = 0.0, value_name = "PER_SEC")]
    pub rate: f64,
}
