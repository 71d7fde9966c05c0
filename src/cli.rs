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
  5  an output could not be written";

/// rtctl: tooling for Socket.IO notification fleets behind one NAT.
///
/// Size a fleet (`plan`), predict where Kong, nginx or HAProxy send each device (`simulate`),
/// render their configs (`render-*`), run the notification nodes (`serve`) and measure them (`bench`).
#[derive(Debug, Parser)]
#[command(name = "rtctl", version, about, long_about = None, after_long_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Report format: human tables or JSON for scripts.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = OutputFormat::Table, env = "RTCTL_OUTPUT")]
    pub output: OutputFormat,

    /// Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
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
    /// Measure a node or a gateway with simulated devices: idle memory, fan-out latency,
    /// throughput, reconnect jitter and avalanches, counting every lost notification.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Write shell completions and man pages generated from this command line.
    #[command(hide = true)]
    Generate(GenerateArgs),
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
    /// Broadcasts at a rate doubling every step until deliveries stop draining, loss appears
    /// or p99 passes --p99-limit-ms: the deliveries per second sustained.
    #[command(after_long_help = EXIT_CODES)]
    Throughput(BenchArgs),
    /// Notifications while a fraction of the connections is cut again and again: delivered
    /// ÷ expected once everyone is back.
    #[command(after_long_help = EXIT_CODES)]
    Jitter(BenchArgs),
    /// Drop every connection at once while notifications are published: time until all
    /// devices are back and caught up.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchJoin {
    /// `subscribe-department` on every connect, as the guide's client does.
    Event,
    /// The x-department-id handshake header.
    Header,
    /// No department.
    None,
}

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// The node or gateway devices connect to (and publishes go to).
    #[arg(
        long,
        default_value = "http://127.0.0.1:3000",
        value_name = "http://HOST:PORT"
    )]
    pub url: String,
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
    /// throughput: a step whose p99 is above this does not count as sustained.
    #[arg(long, default_value_t = 250.0, value_name = "MS")]
    pub p99_limit_ms: f64,
    /// jitter: fraction of the connected devices cut each time.
    #[arg(long, default_value_t = 0.1)]
    pub cut_fraction: f64,
    /// jitter: seconds between cuts.
    #[arg(long, default_value_t = 1.0, value_name = "SECS")]
    pub cut_every: f64,
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
    /// Also show what moves when this node is added (ADDR:PORT).
    #[arg(long, value_name = "ADDR:PORT")]
    pub add: Vec<String>,
    /// Also show what moves when this node (id or ADDR:PORT) is removed from the config.
    #[arg(long, value_name = "NODE")]
    pub remove: Vec<String>,
    /// Also show what moves when this node (id or ADDR:PORT) is marked down.
    #[arg(long, value_name = "NODE")]
    pub down: Vec<String>,
    /// RNG seed for device ids and their public IPs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Width of the bar chart in characters.
    #[arg(long, default_value_t = 40)]
    pub bar_width: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssignGateway {
    Kong,
    NginxConsistent,
    NginxHash,
    HaproxyConsistent,
    HaproxyMap,
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// Gateway algorithm.
    #[arg(long, value_enum)]
    pub gateway: AssignGateway,
    /// A target, in config order: `ADDR:PORT[,weight=W][,id=N]`. Repeat per target.
    #[arg(
        long = "target",
        value_name = "ADDR:PORT[,weight=W][,id=N]",
        required = true
    )]
    pub targets: Vec<String>,
    /// Kong slots (10..=65536).
    #[arg(long, default_value_t = 10_000)]
    pub slots: u32,
    /// A target marked down/unhealthy (kept in the config). Repeatable.
    #[arg(long, value_name = "ADDR:PORT")]
    pub down: Vec<String>,
    /// File of keys, one per line ("-" for stdin).
    #[arg(long, value_hint = ValueHint::FilePath)]
    pub keys: PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(
        long,
        env = "RTCTL_LISTEN",
        default_value = "127.0.0.1:3000",
        value_name = "ADDR:PORT"
    )]
    pub listen: String,
    /// This node's id (reported in x-rtctl-node, /health, heartbeats). Default: the listen address.
    #[arg(long, env = "RTCTL_NODE_ID", value_name = "ID")]
    pub node_id: Option<String>,
    /// Redis URL: the shared log and heartbeats. Without it, one node with an in-memory log.
    #[arg(long, env = "RTCTL_REDIS_URL", value_name = "URL")]
    pub redis: Option<String>,
    /// Require `Authorization: Bearer KEY` on the publish API (required off loopback).
    #[arg(
        long,
        env = "RTCTL_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// Seconds to drain on SIGTERM/SIGINT before exiting.
    #[arg(
        long,
        env = "RTCTL_DRAIN_TIMEOUT",
        default_value_t = 10.0,
        value_name = "SECS"
    )]
    pub drain_timeout: f64,
    /// Browser origins allowed to use long-polling (repeat, or comma-separated; `*` for any).
    #[arg(
        long = "cors-origin",
        env = "RTCTL_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    pub cors_origins: Vec<String>,
    /// Key namespace in Redis (one per fleet).
    #[arg(long, env = "RTCTL_NAMESPACE", default_value = "default")]
    pub namespace: String,
    /// Entries the log keeps (older ones are trimmed); devices away longer get notification:gap.
    #[arg(long, env = "RTCTL_LOG_MAX_LEN", default_value_t = 100_000)]
    pub log_max_len: usize,
    /// Seconds the log keeps an entry (0 = no age limit).
    #[arg(long, env = "RTCTL_LOG_MAX_AGE_SECS", default_value_t = 86_400.0)]
    pub log_max_age_secs: f64,
    /// Socket.IO pingInterval in milliseconds.
    #[arg(long, env = "RTCTL_PING_INTERVAL_MS", default_value_t = 25_000)]
    pub ping_interval_ms: u64,
    /// Socket.IO pingTimeout in milliseconds.
    #[arg(long, env = "RTCTL_PING_TIMEOUT_MS", default_value_t = 20_000)]
    pub ping_timeout_ms: u64,
    /// Frames a device's send queue holds; a device over it is caught up from the log instead.
    #[arg(long, env = "RTCTL_MAX_QUEUE_FRAMES", default_value_t = 4096)]
    pub max_queue_frames: usize,
}

/// What every render command takes.
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Write the config to FILE instead of stdout (the global --output is the report format).
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
    /// Drain timeout of every node, seconds (the process manager waits 5 s longer).
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub drain_timeout: u32,
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
