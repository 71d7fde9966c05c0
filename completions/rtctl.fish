# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rtctl_global_optspecs
    string join \n v/verbose h/help V/version
end

function __fish_rtctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rtctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rtctl_using_subcommand
    set -l cmd (__fish_rtctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rtctl -n "__fish_rtctl_needs_command" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_needs_command" -s V -l version -d 'Print version'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "plan" -d 'Size a fleet: per-node ceiling, load distribution, failure headroom, reconnect storms and the number of nodes needed'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "simulate" -d 'Predict where a real gateway sends each device'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "serve" -d 'Run a notification node: Socket.IO for devices, the publish API, health and metrics'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "render-kong" -d 'Render a Kong 3.x declarative config (YAML or JSON) from the fleet file'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "render-nginx" -d 'Render an nginx config (sticky on the device id) from the fleet file'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "render-haproxy" -d 'Render an HAProxy config (sticky on the device id) from the fleet file'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "render-pm2" -d 'Render a PM2 ecosystem file running one `rtctl serve` per node (fork mode)'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "render-systemd" -d 'Render a systemd template unit rtctl@.service and one environment file per node'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "top" -d 'Live per-node dashboard of the fleet from the heartbeats in Redis (a snapshot table off a terminal or with --once)'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "status" -d 'The fleet\'s state for scripts: heartbeats and each node\'s /health/ready, as a table or JSON; exit 0 when healthy, 6 when degraded, 4 when Redis is unreachable'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "publish" -d 'Send a notification through a node\'s (or the gateway\'s) publish API; prints the offset'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "token" -d 'Signed connection tokens for `rtctl serve --auth jwt`'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "devices" -d 'The device registry, through a node\'s HTTP API: registered devices, whether and on which node each is connected, and where their public IPs would send them'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "bench" -d 'Measure a node or a gateway with simulated devices: idle memory, fan-out latency, throughput, reconnect jitter and avalanches, counting every lost notification'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "generate" -d 'Write shell completions and man pages generated from this command line'
complete -c rtctl -n "__fish_rtctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -s f -l fleet -d 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide\'s 3-node Kong fleet is assumed and flags describe the rest' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l nodes -d 'Replace the fleet\'s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l gateway -d 'Gateway in front of the nodes' -r -f -a "kong\t''
nginx\t''
haproxy\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l algorithm -d 'Gateway hashing algorithm' -r -f -a "consistent\t''
hash\t''
ip-hash\t''
map\t''
round-robin\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l slots -d 'Kong upstream slots (10..=65536)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -s n -l devices -d 'Number of devices' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l cpu-cores -d 'Cores available for deliveries on each node' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l cpu-target -d 'Fraction of the CPU budget planning may use, in (0, 1]' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l memory -d 'Host memory, e.g. 16GB or 16GiB' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l reserved-memory -d 'Memory not available to connections (OS, runtime heap)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l fd-limit -d 'Open-file limit of the node process' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l fd-reserve -d 'Descriptors kept for listeners, Redis, logs and files' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l memory-per-connection -d 'Memory per connected device, e.g. 30KB' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l cpu-ms-per-delivery -d 'CPU milliseconds per delivery (one packet to one socket)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l departments -d 'Departments the devices are spread over' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l broadcasts-per-minute -d 'Broadcasts to all devices, fleet-wide, per minute' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l department-messages-per-minute -d 'Department notifications, fleet-wide, per minute' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l direct-messages-per-minute -d 'Direct notifications, fleet-wide, per minute' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l ping-interval-secs -d 'Socket.IO pingInterval in seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l reconnection-delay-ms -d 'reconnectionDelay in ms' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l reconnection-delay-max-ms -d 'reconnectionDelayMax in ms' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l randomization-factor -d 'randomizationFactor, 0..=1' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l reconnection-attempts -d 'reconnectionAttempts; 0 = unlimited (the client\'s default)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l percentile -d 'Percentile of the most loaded node that must fit, e.g. 99 or 99.9' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l headroom -d 'Fraction of each node\'s ceiling to keep free at that percentile, in [0, 1)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l failures -d 'Node failures the fleet must survive (with the survivors still within their ceiling)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l outage-secs -d 'Seconds until a failed node\'s devices can connect again (gateway detection or restart). Default per gateway: nginx 0 (next upstream on a refused connect), Kong 15, HAProxy 6 (active health checks)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l max-nodes -d 'Largest node count to consider' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l profile -d 'A node profile measured by `rtctl bench calibrate`: its figures replace the assumed ones (flags still win), and the report says which figures are measured' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -l explain -d 'Show the formula behind every number'
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and not __fish_seen_subcommand_from nat assign help" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and not __fish_seen_subcommand_from nat assign help" -s h -l help -d 'Print help'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and not __fish_seen_subcommand_from nat assign help" -f -a "nat" -d 'Devices behind NAT: per-node histogram, skew against theory, and what moves when a node is added, removed or marked down'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and not __fish_seen_subcommand_from nat assign help" -f -a "assign" -d 'Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it (JSON Lines with `--output json`)'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and not __fish_seen_subcommand_from nat assign help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -s f -l fleet -d 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide\'s 3-node Kong fleet is assumed and flags describe the rest' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l nodes -d 'Replace the fleet\'s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l gateway -d 'Gateway in front of the nodes' -r -f -a "kong\t''
nginx\t''
haproxy\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l algorithm -d 'Gateway hashing algorithm' -r -f -a "consistent\t''
hash\t''
ip-hash\t''
map\t''
round-robin\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l slots -d 'Kong upstream slots (10..=65536)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -s n -l devices -d 'Number of devices' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l ids-file -d 'Read device ids from this file (one per line) instead of generating them' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l public-ips -d 'Public IPs the devices share (1 = all behind one NAT, the enterprise case)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l key -d 'What the gateway hashes on' -r -f -a "ip\t'The client\'s public IP (what ip-hash balancing sees: the NAT address)'
header\t'The header x-device-id (absent on a browser\'s WebSocket handshake)'
query\t'The query argument deviceId (always present)'
cookie\t'A cookie (Kong sets its own; nginx/HAProxy only see one after the first response)'
fleet\t'The fleet file\'s sticky_keys, primary then fallback'"
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l client -d 'Which socket.io-client the devices run' -r -f -a "node\t'socket.io-client under Node.js or React Native: extraHeaders on every request'
browser\t'A browser: no custom headers on the WebSocket handshake'"
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l transport -d 'Engine.IO transports of the clients' -r -f -a "polling\t'HTTP long-polling first, then upgrade to WebSocket (socket.io-client\'s default)'
websocket\t'`transports: ["websocket"]`'"
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l kong-version -d 'Kong version, e.g. 3.9 (3.8-3.9 ignore a hash header whose name contains \'-\')' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l add -d 'Also show what moves when this node is added (ADDR:PORT). --add, --remove and --down apply in the order given, each on top of the ones before it' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l remove -d 'Also show what moves when this node (id or ADDR:PORT) is removed from the config' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l down -d 'Also show what moves when this node (id or ADDR:PORT) is marked down' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l seed -d 'RNG seed for device ids and their public IPs' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -l bar-width -d 'Width of the bar chart in characters' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from nat" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from assign" -s f -l fleet -d 'Fleet file (TOML): its gateway algorithm, slots and nodes (weights, HAProxy ids)' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from assign" -s o -l output -d '`table`: `key<TAB>ADDR:PORT` lines; `json`: JSON Lines `{"key":…,"target":…}`' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from assign" -l gateway -d 'Gateway algorithm (required without a fleet file)' -r -f -a "kong\t''
nginx-consistent\t''
nginx-hash\t''
haproxy-consistent\t''
haproxy-map\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from assign" -l target -d 'A target, in config order: `ADDR:PORT[,weight=W][,id=N]`. Repeat per target. Replaces the fleet\'s nodes (required without a fleet file)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from assign" -l slots -d 'Kong slots (10..=65536). Default: the fleet\'s, else 10000' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from assign" -l down -d 'A target marked down/unhealthy (kept in the config). Repeatable' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from assign" -l keys -d 'File of keys, one per line ("-" for stdin)' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from assign" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from assign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from help" -f -a "nat" -d 'Devices behind NAT: per-node histogram, skew against theory, and what moves when a node is added, removed or marked down'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from help" -f -a "assign" -d 'Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it (JSON Lines with `--output json`)'
complete -c rtctl -n "__fish_rtctl_using_subcommand simulate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -s f -l fleet -d 'Fleet file (TOML): run the node `--node-id` names, with the fleet\'s settings' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l listen -d 'Address to listen on. Default: the node\'s `listen` or `host:port` in the fleet file, else 127.0.0.1:3000' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l node-id -d 'This node\'s id (reported in x-rtctl-node, /health, heartbeats); required with a fleet file, where it must be one of its nodes. Default without one: the listen address' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l redis -d 'Redis URL: the shared log and heartbeats. Without it, one node with an in-memory log. `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` (DB: the database index, default 0): a server or any node of a Redis Cluster (comma-separate several cluster nodes), or `redis+sentinel://HOST:PORT,HOST:PORT/MASTER` (a primary found and followed through Redis Sentinel). `rediss://` and `rediss+sentinel://` for TLS (see --redis-ca). Default: the fleet file\'s `[redis] url`' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l redis-ca -d 'CA certificate(s), PEM, that signed the Redis server\'s certificate (`rediss://` URLs): trusted instead of the system\'s roots' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l api-key -d 'Require `Authorization: Bearer KEY` on the publish API (required off loopback)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l api-keys -d 'Named API keys with scopes, a TOML file of `[[key]] name, secret (or sha256), scope = "publish" | "read"`. Re-read when it changes (and on SIGHUP): removing an entry revokes the key without a restart. With it, `/metrics` and `/health` need a key too (any scope); `/health/live` and `/health/ready` never do. `--api-key` adds a key named `default`' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l drain-timeout -d 'Seconds to drain on SIGTERM/SIGINT before exiting. Default: the fleet\'s `[serve] drain_timeout_secs`, else 10' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l cors-origin -d 'Browser origins allowed to use long-polling (repeat, or comma-separated; `*` for any)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l namespace -d 'Key namespace in Redis (one per fleet). Default: the fleet\'s `[redis] namespace`, else "default"' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l log-max-len -d 'Entries the log keeps (older ones are trimmed); devices away longer get notification:gap. Default: the fleet\'s `[serve] log_max_len`, else 100000' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l log-max-age-secs -d 'Seconds the log keeps an entry (0 = no age limit). Default: the fleet\'s `[serve] log_max_age_secs`, else 86400' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l ping-interval-ms -d 'Socket.IO pingInterval in milliseconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l ping-timeout-ms -d 'Socket.IO pingTimeout in milliseconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l max-queue-frames -d 'Frames a device\'s send queue holds; a device over it is caught up from the log instead' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l max-connections -d 'Open connections served (default: the open-file limit minus 512, which leaves room for the reserved connections, Redis and files)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l reserved-connections -d 'Connections beyond --max-connections kept for health checks, metrics and the API (one request each; Socket.IO gets 503 there)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l header-timeout-secs -d 'Seconds a client has to send a request head' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l max-header-bytes -d 'Largest request head (request line and headers) in bytes; larger ones get 431' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l body-timeout-secs -d 'Seconds a client has to send a request body, once its head has arrived' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l max-unfinished-per-ip -d 'Requests with a body still arriving, per client IP (429 beyond)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l max-handshakes-per-ip -d 'Engine.IO sessions per client IP not yet connected to a namespace (429 beyond)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l trusted-proxy -d 'Gateway (IP or CIDR) whose X-Forwarded-For names the client, for the per-IP limits and the client-IP figures in heartbeats (`rtctl top`\'s NAT-trap alert); repeat, or comma-separate. Other peers are the client themselves' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l auth -d 'Device authentication: `none` (any client may claim any device id; development only, logged loudly) or `jwt` (every CONNECT carries `auth.token` from `rtctl token issue`)' -r -f -a "none\t'No proof: any client may claim any device id'
jwt\t'A signed token (HS256) in `auth.token`'"
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l key-file -d 'Token keys for `--auth jwt`: one per line, all accepted (two during a rotation)' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l data-dir -d 'Keep the device registry (POST /api/v1/devices/register) on disk in DIR when the node runs without --redis (with --redis it is in Redis). Without either, registration answers 503' -r -f -a "(__fish_complete_directories)"
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l durability -d 'When a publish is acknowledged (202). Every node of a fleet must use the same mode' -r -f -a "leader\t'Once Redis\'s primary has it (in memory, on disk per its appendfsync)'
replicated\t'Once --replicas replicas confirm it (WAIT) within --replica-timeout-ms; else 503 and it is never delivered'
replicated-aof\t'As replicated, with the replicas\' append-only files fsynced (WAITAOF, Redis >= 7.2)'"
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l replicas -d 'Replicas that must confirm a publish with --durability replicated or replicated-aof' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l replica-timeout-ms -d 'How long a publish waits for its replicas before it is refused with 503' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -l idempotency-ttl-secs -d 'How long an Idempotency-Key is remembered: a publish retried with the same key within it returns the first id and is delivered once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -s f -l fleet -d 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide\'s 3-node Kong fleet is assumed and flags describe the rest' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -l nodes -d 'Replace the fleet\'s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -l gateway -d 'Gateway in front of the nodes' -r -f -a "kong\t''
nginx\t''
haproxy\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -l algorithm -d 'Gateway hashing algorithm' -r -f -a "consistent\t''
hash\t''
ip-hash\t''
map\t''
round-robin\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -l slots -d 'Kong upstream slots (10..=65536)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -s n -l devices -d 'Number of devices' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -l out -d 'Write the config to FILE instead of stdout' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -l idle-timeout-secs -d 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -l format -d 'Config syntax (Kong reads both)' -r -f -a "yaml\t''
json\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -l upstream -d 'Upstream name, also the service host (a hostname, not an IP)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -l kong-version -d 'Kong version the config is for (3.x); overrides the fleet\'s kong_version' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand render-kong" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -s f -l fleet -d 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide\'s 3-node Kong fleet is assumed and flags describe the rest' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -l nodes -d 'Replace the fleet\'s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -l gateway -d 'Gateway in front of the nodes' -r -f -a "kong\t''
nginx\t''
haproxy\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -l algorithm -d 'Gateway hashing algorithm' -r -f -a "consistent\t''
hash\t''
ip-hash\t''
map\t''
round-robin\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -l slots -d 'Kong upstream slots (10..=65536)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -s n -l devices -d 'Number of devices' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -l out -d 'Write the config to FILE instead of stdout' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -l idle-timeout-secs -d 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -l listen -d 'Address the gateway listens on' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand render-nginx" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -s f -l fleet -d 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide\'s 3-node Kong fleet is assumed and flags describe the rest' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -l nodes -d 'Replace the fleet\'s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -l gateway -d 'Gateway in front of the nodes' -r -f -a "kong\t''
nginx\t''
haproxy\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -l algorithm -d 'Gateway hashing algorithm' -r -f -a "consistent\t''
hash\t''
ip-hash\t''
map\t''
round-robin\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -l slots -d 'Kong upstream slots (10..=65536)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -s n -l devices -d 'Number of devices' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -l out -d 'Write the config to FILE instead of stdout' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -l idle-timeout-secs -d 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -l listen -d 'Address the gateway listens on' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand render-haproxy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -s f -l fleet -d 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide\'s 3-node Kong fleet is assumed and flags describe the rest' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -l nodes -d 'Replace the fleet\'s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -l gateway -d 'Gateway in front of the nodes' -r -f -a "kong\t''
nginx\t''
haproxy\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -l algorithm -d 'Gateway hashing algorithm' -r -f -a "consistent\t''
hash\t''
ip-hash\t''
map\t''
round-robin\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -l slots -d 'Kong upstream slots (10..=65536)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -s n -l devices -d 'Number of devices' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -l binary -d 'Absolute path of the rtctl binary on the hosts' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -l fleet-path -d 'Where the fleet file is on the hosts: each node runs `rtctl serve -f PATH --node-id ID`. Default: the absolute path of the -f file, else /etc/rtctl/fleet.toml' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -l drain-timeout -d 'Drain timeout of every node, seconds, overriding the fleet\'s `[serve] drain_timeout_secs` (the process manager waits 5 s longer)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -l data-dir -d 'Parent of the node\'s device-registry directory: a single-node fleet without [redis] runs `rtctl serve ... --data-dir DIR/<node-id>` (systemd makes it a StateDirectory under /var/lib). Not passed with Redis (the registry is in Redis) or to several nodes without it (they would keep separate registries)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -l out -d 'Write the ecosystem file to FILE instead of stdout' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -l log-dir -d 'Directory for the nodes\' log files' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand render-pm2" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -s f -l fleet -d 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide\'s 3-node Kong fleet is assumed and flags describe the rest' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l nodes -d 'Replace the fleet\'s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l gateway -d 'Gateway in front of the nodes' -r -f -a "kong\t''
nginx\t''
haproxy\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l algorithm -d 'Gateway hashing algorithm' -r -f -a "consistent\t''
hash\t''
ip-hash\t''
map\t''
round-robin\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l slots -d 'Kong upstream slots (10..=65536)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -s n -l devices -d 'Number of devices' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l binary -d 'Absolute path of the rtctl binary on the hosts' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l fleet-path -d 'Where the fleet file is on the hosts: each node runs `rtctl serve -f PATH --node-id ID`. Default: the absolute path of the -f file, else /etc/rtctl/fleet.toml' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l drain-timeout -d 'Drain timeout of every node, seconds, overriding the fleet\'s `[serve] drain_timeout_secs` (the process manager waits 5 s longer)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l data-dir -d 'Parent of the node\'s device-registry directory: a single-node fleet without [redis] runs `rtctl serve ... --data-dir DIR/<node-id>` (systemd makes it a StateDirectory under /var/lib). Not passed with Redis (the registry is in Redis) or to several nodes without it (they would keep separate registries)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l out-dir -d 'Write `rtctl@.service` and `<node>.env` into DIR instead of printing them' -r -f -a "(__fish_complete_directories)"
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l env-dir -d 'Where the environment files live on the hosts' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -l user -d 'The service user' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand render-systemd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand top" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand top" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand top" -l redis -d 'Redis URL the nodes write heartbeats to (a cluster: any node, or several comma-separated). Default: the fleet file\'s `[redis] url`' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand top" -l redis-ca -d 'CA certificate(s), PEM, that signed the Redis server\'s certificate (`rediss://` URLs): trusted instead of the system\'s roots' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand top" -s f -l fleet -d 'Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted shares) and the profile (`plan`\'s per-node ceiling)' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand top" -l namespace -d 'The fleet\'s namespace (as given to `serve --namespace`)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand top" -l interval -d 'Seconds between refreshes (one Redis round trip each)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand top" -l once -d 'Print one snapshot table and exit (also what happens off a terminal)'
complete -c rtctl -n "__fish_rtctl_using_subcommand top" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand top" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand status" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand status" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand status" -l redis -d 'Redis URL the nodes write heartbeats to (a cluster: any node, or several comma-separated). Default: the fleet file\'s `[redis] url`' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand status" -l redis-ca -d 'CA certificate(s), PEM, that signed the Redis server\'s certificate (`rediss://` URLs): trusted instead of the system\'s roots' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand status" -s f -l fleet -d 'Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted shares) and the profile (`plan`\'s per-node ceiling)' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand status" -l namespace -d 'The fleet\'s namespace (as given to `serve --namespace`)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand status" -l timeout -d 'Seconds to wait for each node\'s /health/ready' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand status" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -s o -l output -d 'Output format: the offset as text, or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -l url -d 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes' -r -f
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -l api-key -d 'The node\'s API key, sent as `Authorization: Bearer <key>`' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -l timeout -d 'Seconds to wait for the answer' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -l department -d 'Send to every device of this department' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -l device -d 'Send to one device' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -l payload -d 'The notification, as JSON (default `{}`)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -l payload-file -d 'Read the notification (JSON) from a file ("-" for stdin)' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -l count -d 'Send the notification this many times (a smoke load; progress bar on a terminal)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -l rate -d 'At most this many requests per second with --count (0: as fast as the node answers)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -l all -d 'Send to every device'
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand publish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and not __fish_seen_subcommand_from issue help" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and not __fish_seen_subcommand_from issue help" -s h -l help -d 'Print help'
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and not __fish_seen_subcommand_from issue help" -f -a "issue" -d 'Print an HS256 token naming a device, the departments it may join and its user; the device sends it as `auth.token`'
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and not __fish_seen_subcommand_from issue help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and __fish_seen_subcommand_from issue" -l device -d 'The device id the token proves' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and __fish_seen_subcommand_from issue" -l department -d 'A department the device may join (repeat for several)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and __fish_seen_subcommand_from issue" -l user -d 'The user id' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and __fish_seen_subcommand_from issue" -l ttl -d 'Lifetime: 30d, 12h, 15m, 90s or seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and __fish_seen_subcommand_from issue" -l key-file -d 'Key file: one key per line (at least 32 bytes); the first signs' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and __fish_seen_subcommand_from issue" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and __fish_seen_subcommand_from issue" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "issue" -d 'Print an HS256 token naming a device, the departments it may join and its user; the device sends it as `auth.token`'
complete -c rtctl -n "__fish_rtctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and not __fish_seen_subcommand_from list show remove nat-report help" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and not __fish_seen_subcommand_from list show remove nat-report help" -s h -l help -d 'Print help'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and not __fish_seen_subcommand_from list show remove nat-report help" -f -a "list" -d 'Registered devices (GET /api/v1/devices), with whether and on which node each is connected now'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and not __fish_seen_subcommand_from list show remove nat-report help" -f -a "show" -d 'One registered device (GET /api/v1/devices/ID)'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and not __fish_seen_subcommand_from list show remove nat-report help" -f -a "remove" -d 'Decommission a device: remove its record from the registry (DELETE /api/v1/devices/ID; needs a publish-scope API key). A device still connected stays connected; registering again records it anew'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and not __fish_seen_subcommand_from list show remove nat-report help" -f -a "nat-report" -d 'Devices per public IP (their last_ip_address), and how the fleet\'s gateway would spread them when hashing on the client IP compared with hashing on the device id'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and not __fish_seen_subcommand_from list show remove nat-report help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from list" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from list" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from list" -l url -d 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes' -r -f
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from list" -l api-key -d 'The node\'s API key, sent as `Authorization: Bearer <key>`' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from list" -l timeout -d 'Seconds to wait for the answer' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from list" -l department -d 'Only this department\'s devices' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from list" -l online -d 'Only devices connected now'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from list" -l offline -d 'Only devices not connected now'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from show" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from show" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from show" -l url -d 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes' -r -f
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from show" -l api-key -d 'The node\'s API key, sent as `Authorization: Bearer <key>`' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from show" -l timeout -d 'Seconds to wait for the answer' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from remove" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from remove" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from remove" -l url -d 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes' -r -f
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from remove" -l api-key -d 'The node\'s API key, sent as `Authorization: Bearer <key>`' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from remove" -l timeout -d 'Seconds to wait for the answer' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -l url -d 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes' -r -f
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -l api-key -d 'The node\'s API key, sent as `Authorization: Bearer <key>`' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -l timeout -d 'Seconds to wait for the answer' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -s f -l fleet -d 'Fleet file (TOML): its nodes and gateway. Without it the guide\'s 3-node Kong fleet' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -l nodes -d 'Replace the fleet\'s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -l gateway -d 'Gateway in front of the nodes' -r -f -a "kong\t''
nginx\t''
haproxy\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -l department -d 'Only this department\'s devices' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -l top -d 'Public IPs listed in the table (the largest); JSON lists them all' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from nat-report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from help" -f -a "list" -d 'Registered devices (GET /api/v1/devices), with whether and on which node each is connected now'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from help" -f -a "show" -d 'One registered device (GET /api/v1/devices/ID)'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Decommission a device: remove its record from the registry (DELETE /api/v1/devices/ID; needs a publish-scope API key). A device still connected stays connected; registering again records it anew'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from help" -f -a "nat-report" -d 'Devices per public IP (their last_ip_address), and how the fleet\'s gateway would spread them when hashing on the client IP compared with hashing on the device id'
complete -c rtctl -n "__fish_rtctl_using_subcommand devices; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and not __fish_seen_subcommand_from idle fanout throughput jitter avalanche calibrate worker help" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and not __fish_seen_subcommand_from idle fanout throughput jitter avalanche calibrate worker help" -s h -l help -d 'Print help'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and not __fish_seen_subcommand_from idle fanout throughput jitter avalanche calibrate worker help" -f -a "idle" -d 'Connect the devices, hold them, read the node\'s memory per connection, then check one broadcast reaches everyone'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and not __fish_seen_subcommand_from idle fanout throughput jitter avalanche calibrate worker help" -f -a "fanout" -d 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and not __fish_seen_subcommand_from idle fanout throughput jitter avalanche calibrate worker help" -f -a "throughput" -d 'Broadcasts at a rate growing by --rate-factor every step (doubling by default) until deliveries stop draining (with --stop-after-fail: until a step loses or its p99 passes --p99-limit-ms): the deliveries per second sustained with 0 lost and p99 within the limit'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and not __fish_seen_subcommand_from idle fanout throughput jitter avalanche calibrate worker help" -f -a "jitter" -d 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and not __fish_seen_subcommand_from idle fanout throughput jitter avalanche calibrate worker help" -f -a "avalanche" -d 'Drop every connection at once (or, with --failure kill, kill the node) while notifications are published: time until all devices are back and caught up'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and not __fish_seen_subcommand_from idle fanout throughput jitter avalanche calibrate worker help" -f -a "calibrate" -d 'Run idle, fanout and throughput against one node and write its profile (memory per connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and not __fish_seen_subcommand_from idle fanout throughput jitter avalanche calibrate worker help" -f -a "worker" -d 'One worker process of `--workers` (reads its spec and commands on stdin)'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and not __fish_seen_subcommand_from idle fanout throughput jitter avalanche calibrate worker help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l url -d 'The node or gateway devices connect to (and publishes go to)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l also-url -d 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes\' sum when they run on this machine' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l publish-url -d 'Where publishes go when not --url (a gateway that only routes Socket.IO)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l api-key -d 'Bearer key of the publish API' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -s n -l devices -d 'Simulated devices (ids in the guide\'s `<type>_<8 hex>` format)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l departments -d 'Departments the devices are spread over (device i in dept-(i mod D))' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l join -d 'How devices join their department' -r -f -a "event\t'`subscribe-department` on every connect, as the guide\'s client does'
header\t'The x-department-id handshake header'
none\t'No department'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l transport -d 'How devices talk to the node' -r -f -a "websocket\t'One WebSocket per device from the start'
polling\t'Engine.IO long-polling only (a long-poll GET and a POST connection per device: 2 sockets)'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l seed -d 'Seed of the device ids' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l workers -d 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l src-ip -d 'Source addresses to connect from (split over the workers)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l connect-concurrency -d 'Handshakes in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l connect-timeout -d 'Bound of the connect phase, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l hold -d 'idle: seconds to hold the connections' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l rounds -d 'fanout: rounds of (broadcast, department, device)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l rate -d 'Publishes per second (throughput: the first step\'s rate)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l duration -d 'Seconds of publishing (per throughput step; jitter\'s length; avalanche: rate × this many publishes while the devices are away)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l steps -d 'throughput: at most this many steps' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l rate-factor -d 'throughput: each step\'s rate is the previous one\'s times this (> 1; e.g. 1.41 for finer steps than doubling)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l p99-limit-ms -d 'throughput: a step whose p99 is above this does not count as sustained' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l cut-fraction -d 'jitter: fraction of the connected devices cut each time' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l cut-every -d 'jitter: seconds between cuts' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l failure -d 'avalanche: how every device is taken away at once' -r -f -a "cut\t'End every device\'s connection at once (the node stays up)'
kill\t'SIGKILL the node (--server-pid, or the process listening on --url\'s port); --restart-cmd starts it again, else its supervisor must'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l restart-cmd -d 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l reconnect-delay-ms -d 'socket.io-client\'s reconnectionDelay (ms; randomized ±50%, doubling per attempt)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l reconnect-delay-max-ms -d 'socket.io-client\'s reconnectionDelayMax (ms)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l settle -d 'Longest wait for deliveries (and reconnections) to complete, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l payload-bytes -d 'Approximate notification payload size in bytes' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l publish-concurrency -d 'Publish requests in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l server-pid -d 'The node\'s pid, for its CPU time and memory (default: the local process listening on --url\'s port, if any)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l redis -d 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes\' heartbeats at the end' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l namespace -d 'Key namespace of the fleet in Redis' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l chart -d 'Write an SVG chart of latency percentiles and connections over time' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l fleet -d 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan\'s p99 band' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -l stop-after-fail -d 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from idle" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l url -d 'The node or gateway devices connect to (and publishes go to)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l also-url -d 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes\' sum when they run on this machine' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l publish-url -d 'Where publishes go when not --url (a gateway that only routes Socket.IO)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l api-key -d 'Bearer key of the publish API' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -s n -l devices -d 'Simulated devices (ids in the guide\'s `<type>_<8 hex>` format)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l departments -d 'Departments the devices are spread over (device i in dept-(i mod D))' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l join -d 'How devices join their department' -r -f -a "event\t'`subscribe-department` on every connect, as the guide\'s client does'
header\t'The x-department-id handshake header'
none\t'No department'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l transport -d 'How devices talk to the node' -r -f -a "websocket\t'One WebSocket per device from the start'
polling\t'Engine.IO long-polling only (a long-poll GET and a POST connection per device: 2 sockets)'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l seed -d 'Seed of the device ids' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l workers -d 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l src-ip -d 'Source addresses to connect from (split over the workers)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l connect-concurrency -d 'Handshakes in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l connect-timeout -d 'Bound of the connect phase, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l hold -d 'idle: seconds to hold the connections' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l rounds -d 'fanout: rounds of (broadcast, department, device)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l rate -d 'Publishes per second (throughput: the first step\'s rate)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l duration -d 'Seconds of publishing (per throughput step; jitter\'s length; avalanche: rate × this many publishes while the devices are away)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l steps -d 'throughput: at most this many steps' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l rate-factor -d 'throughput: each step\'s rate is the previous one\'s times this (> 1; e.g. 1.41 for finer steps than doubling)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l p99-limit-ms -d 'throughput: a step whose p99 is above this does not count as sustained' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l cut-fraction -d 'jitter: fraction of the connected devices cut each time' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l cut-every -d 'jitter: seconds between cuts' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l failure -d 'avalanche: how every device is taken away at once' -r -f -a "cut\t'End every device\'s connection at once (the node stays up)'
kill\t'SIGKILL the node (--server-pid, or the process listening on --url\'s port); --restart-cmd starts it again, else its supervisor must'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l restart-cmd -d 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l reconnect-delay-ms -d 'socket.io-client\'s reconnectionDelay (ms; randomized ±50%, doubling per attempt)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l reconnect-delay-max-ms -d 'socket.io-client\'s reconnectionDelayMax (ms)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l settle -d 'Longest wait for deliveries (and reconnections) to complete, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l payload-bytes -d 'Approximate notification payload size in bytes' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l publish-concurrency -d 'Publish requests in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l server-pid -d 'The node\'s pid, for its CPU time and memory (default: the local process listening on --url\'s port, if any)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l redis -d 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes\' heartbeats at the end' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l namespace -d 'Key namespace of the fleet in Redis' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l chart -d 'Write an SVG chart of latency percentiles and connections over time' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l fleet -d 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan\'s p99 band' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -l stop-after-fail -d 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from fanout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l url -d 'The node or gateway devices connect to (and publishes go to)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l also-url -d 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes\' sum when they run on this machine' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l publish-url -d 'Where publishes go when not --url (a gateway that only routes Socket.IO)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l api-key -d 'Bearer key of the publish API' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -s n -l devices -d 'Simulated devices (ids in the guide\'s `<type>_<8 hex>` format)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l departments -d 'Departments the devices are spread over (device i in dept-(i mod D))' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l join -d 'How devices join their department' -r -f -a "event\t'`subscribe-department` on every connect, as the guide\'s client does'
header\t'The x-department-id handshake header'
none\t'No department'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l transport -d 'How devices talk to the node' -r -f -a "websocket\t'One WebSocket per device from the start'
polling\t'Engine.IO long-polling only (a long-poll GET and a POST connection per device: 2 sockets)'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l seed -d 'Seed of the device ids' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l workers -d 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l src-ip -d 'Source addresses to connect from (split over the workers)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l connect-concurrency -d 'Handshakes in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l connect-timeout -d 'Bound of the connect phase, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l hold -d 'idle: seconds to hold the connections' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l rounds -d 'fanout: rounds of (broadcast, department, device)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l rate -d 'Publishes per second (throughput: the first step\'s rate)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l duration -d 'Seconds of publishing (per throughput step; jitter\'s length; avalanche: rate × this many publishes while the devices are away)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l steps -d 'throughput: at most this many steps' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l rate-factor -d 'throughput: each step\'s rate is the previous one\'s times this (> 1; e.g. 1.41 for finer steps than doubling)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l p99-limit-ms -d 'throughput: a step whose p99 is above this does not count as sustained' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l cut-fraction -d 'jitter: fraction of the connected devices cut each time' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l cut-every -d 'jitter: seconds between cuts' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l failure -d 'avalanche: how every device is taken away at once' -r -f -a "cut\t'End every device\'s connection at once (the node stays up)'
kill\t'SIGKILL the node (--server-pid, or the process listening on --url\'s port); --restart-cmd starts it again, else its supervisor must'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l restart-cmd -d 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l reconnect-delay-ms -d 'socket.io-client\'s reconnectionDelay (ms; randomized ±50%, doubling per attempt)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l reconnect-delay-max-ms -d 'socket.io-client\'s reconnectionDelayMax (ms)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l settle -d 'Longest wait for deliveries (and reconnections) to complete, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l payload-bytes -d 'Approximate notification payload size in bytes' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l publish-concurrency -d 'Publish requests in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l server-pid -d 'The node\'s pid, for its CPU time and memory (default: the local process listening on --url\'s port, if any)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l redis -d 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes\' heartbeats at the end' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l namespace -d 'Key namespace of the fleet in Redis' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l chart -d 'Write an SVG chart of latency percentiles and connections over time' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l fleet -d 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan\'s p99 band' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -l stop-after-fail -d 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from throughput" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l url -d 'The node or gateway devices connect to (and publishes go to)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l also-url -d 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes\' sum when they run on this machine' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l publish-url -d 'Where publishes go when not --url (a gateway that only routes Socket.IO)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l api-key -d 'Bearer key of the publish API' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -s n -l devices -d 'Simulated devices (ids in the guide\'s `<type>_<8 hex>` format)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l departments -d 'Departments the devices are spread over (device i in dept-(i mod D))' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l join -d 'How devices join their department' -r -f -a "event\t'`subscribe-department` on every connect, as the guide\'s client does'
header\t'The x-department-id handshake header'
none\t'No department'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l transport -d 'How devices talk to the node' -r -f -a "websocket\t'One WebSocket per device from the start'
polling\t'Engine.IO long-polling only (a long-poll GET and a POST connection per device: 2 sockets)'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l seed -d 'Seed of the device ids' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l workers -d 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l src-ip -d 'Source addresses to connect from (split over the workers)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l connect-concurrency -d 'Handshakes in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l connect-timeout -d 'Bound of the connect phase, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l hold -d 'idle: seconds to hold the connections' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l rounds -d 'fanout: rounds of (broadcast, department, device)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l rate -d 'Publishes per second (throughput: the first step\'s rate)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l duration -d 'Seconds of publishing (per throughput step; jitter\'s length; avalanche: rate × this many publishes while the devices are away)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l steps -d 'throughput: at most this many steps' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l rate-factor -d 'throughput: each step\'s rate is the previous one\'s times this (> 1; e.g. 1.41 for finer steps than doubling)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l p99-limit-ms -d 'throughput: a step whose p99 is above this does not count as sustained' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l cut-fraction -d 'jitter: fraction of the connected devices cut each time' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l cut-every -d 'jitter: seconds between cuts' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l failure -d 'avalanche: how every device is taken away at once' -r -f -a "cut\t'End every device\'s connection at once (the node stays up)'
kill\t'SIGKILL the node (--server-pid, or the process listening on --url\'s port); --restart-cmd starts it again, else its supervisor must'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l restart-cmd -d 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l reconnect-delay-ms -d 'socket.io-client\'s reconnectionDelay (ms; randomized ±50%, doubling per attempt)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l reconnect-delay-max-ms -d 'socket.io-client\'s reconnectionDelayMax (ms)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l settle -d 'Longest wait for deliveries (and reconnections) to complete, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l payload-bytes -d 'Approximate notification payload size in bytes' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l publish-concurrency -d 'Publish requests in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l server-pid -d 'The node\'s pid, for its CPU time and memory (default: the local process listening on --url\'s port, if any)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l redis -d 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes\' heartbeats at the end' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l namespace -d 'Key namespace of the fleet in Redis' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l chart -d 'Write an SVG chart of latency percentiles and connections over time' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l fleet -d 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan\'s p99 band' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -l stop-after-fail -d 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from jitter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l url -d 'The node or gateway devices connect to (and publishes go to)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l also-url -d 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes\' sum when they run on this machine' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l publish-url -d 'Where publishes go when not --url (a gateway that only routes Socket.IO)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l api-key -d 'Bearer key of the publish API' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -s n -l devices -d 'Simulated devices (ids in the guide\'s `<type>_<8 hex>` format)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l departments -d 'Departments the devices are spread over (device i in dept-(i mod D))' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l join -d 'How devices join their department' -r -f -a "event\t'`subscribe-department` on every connect, as the guide\'s client does'
header\t'The x-department-id handshake header'
none\t'No department'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l transport -d 'How devices talk to the node' -r -f -a "websocket\t'One WebSocket per device from the start'
polling\t'Engine.IO long-polling only (a long-poll GET and a POST connection per device: 2 sockets)'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l seed -d 'Seed of the device ids' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l workers -d 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l src-ip -d 'Source addresses to connect from (split over the workers)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l connect-concurrency -d 'Handshakes in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l connect-timeout -d 'Bound of the connect phase, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l hold -d 'idle: seconds to hold the connections' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l rounds -d 'fanout: rounds of (broadcast, department, device)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l rate -d 'Publishes per second (throughput: the first step\'s rate)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l duration -d 'Seconds of publishing (per throughput step; jitter\'s length; avalanche: rate × this many publishes while the devices are away)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l steps -d 'throughput: at most this many steps' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l rate-factor -d 'throughput: each step\'s rate is the previous one\'s times this (> 1; e.g. 1.41 for finer steps than doubling)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l p99-limit-ms -d 'throughput: a step whose p99 is above this does not count as sustained' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l cut-fraction -d 'jitter: fraction of the connected devices cut each time' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l cut-every -d 'jitter: seconds between cuts' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l failure -d 'avalanche: how every device is taken away at once' -r -f -a "cut\t'End every device\'s connection at once (the node stays up)'
kill\t'SIGKILL the node (--server-pid, or the process listening on --url\'s port); --restart-cmd starts it again, else its supervisor must'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l restart-cmd -d 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l reconnect-delay-ms -d 'socket.io-client\'s reconnectionDelay (ms; randomized ±50%, doubling per attempt)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l reconnect-delay-max-ms -d 'socket.io-client\'s reconnectionDelayMax (ms)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l settle -d 'Longest wait for deliveries (and reconnections) to complete, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l payload-bytes -d 'Approximate notification payload size in bytes' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l publish-concurrency -d 'Publish requests in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l server-pid -d 'The node\'s pid, for its CPU time and memory (default: the local process listening on --url\'s port, if any)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l redis -d 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes\' heartbeats at the end' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l namespace -d 'Key namespace of the fleet in Redis' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l chart -d 'Write an SVG chart of latency percentiles and connections over time' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l fleet -d 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan\'s p99 band' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -l stop-after-fail -d 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from avalanche" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -s o -l output -d 'Report format: human tables or JSON for scripts' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document on stdout'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l color -d 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l url -d 'The node or gateway devices connect to (and publishes go to)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l also-url -d 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes\' sum when they run on this machine' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l publish-url -d 'Where publishes go when not --url (a gateway that only routes Socket.IO)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l api-key -d 'Bearer key of the publish API' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -s n -l devices -d 'Simulated devices (ids in the guide\'s `<type>_<8 hex>` format)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l departments -d 'Departments the devices are spread over (device i in dept-(i mod D))' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l join -d 'How devices join their department' -r -f -a "event\t'`subscribe-department` on every connect, as the guide\'s client does'
header\t'The x-department-id handshake header'
none\t'No department'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l transport -d 'How devices talk to the node' -r -f -a "websocket\t'One WebSocket per device from the start'
polling\t'Engine.IO long-polling only (a long-poll GET and a POST connection per device: 2 sockets)'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l seed -d 'Seed of the device ids' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l workers -d 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l src-ip -d 'Source addresses to connect from (split over the workers)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l connect-concurrency -d 'Handshakes in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l connect-timeout -d 'Bound of the connect phase, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l hold -d 'idle: seconds to hold the connections' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l rounds -d 'fanout: rounds of (broadcast, department, device)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l rate -d 'Publishes per second (throughput: the first step\'s rate)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l duration -d 'Seconds of publishing (per throughput step; jitter\'s length; avalanche: rate × this many publishes while the devices are away)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l steps -d 'throughput: at most this many steps' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l rate-factor -d 'throughput: each step\'s rate is the previous one\'s times this (> 1; e.g. 1.41 for finer steps than doubling)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l p99-limit-ms -d 'throughput: a step whose p99 is above this does not count as sustained' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l cut-fraction -d 'jitter: fraction of the connected devices cut each time' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l cut-every -d 'jitter: seconds between cuts' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l failure -d 'avalanche: how every device is taken away at once' -r -f -a "cut\t'End every device\'s connection at once (the node stays up)'
kill\t'SIGKILL the node (--server-pid, or the process listening on --url\'s port); --restart-cmd starts it again, else its supervisor must'"
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l restart-cmd -d 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l reconnect-delay-ms -d 'socket.io-client\'s reconnectionDelay (ms; randomized ±50%, doubling per attempt)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l reconnect-delay-max-ms -d 'socket.io-client\'s reconnectionDelayMax (ms)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l settle -d 'Longest wait for deliveries (and reconnections) to complete, seconds' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l payload-bytes -d 'Approximate notification payload size in bytes' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l publish-concurrency -d 'Publish requests in flight at once' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l server-pid -d 'The node\'s pid, for its CPU time and memory (default: the local process listening on --url\'s port, if any)' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l redis -d 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes\' heartbeats at the end' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l namespace -d 'Key namespace of the fleet in Redis' -r
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l chart -d 'Write an SVG chart of latency percentiles and connections over time' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l fleet -d 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan\'s p99 band' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l out -d 'Where to write the node profile (TOML)' -r -F
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -l stop-after-fail -d 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from calibrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from worker" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from worker" -s h -l help -d 'Print help'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "idle" -d 'Connect the devices, hold them, read the node\'s memory per connection, then check one broadcast reaches everyone'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "fanout" -d 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "throughput" -d 'Broadcasts at a rate growing by --rate-factor every step (doubling by default) until deliveries stop draining (with --stop-after-fail: until a step loses or its p99 passes --p99-limit-ms): the deliveries per second sustained with 0 lost and p99 within the limit'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "jitter" -d 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "avalanche" -d 'Drop every connection at once (or, with --failure kill, kill the node) while notifications are published: time until all devices are back and caught up'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "calibrate" -d 'Run idle, fanout and throughput against one node and write its profile (memory per connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "worker" -d 'One worker process of `--workers` (reads its spec and commands on stdin)'
complete -c rtctl -n "__fish_rtctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rtctl -n "__fish_rtctl_using_subcommand generate" -l out-dir -d 'Directory that receives completions/ and man/' -r -f -a "(__fish_complete_directories)"
complete -c rtctl -n "__fish_rtctl_using_subcommand generate" -s v -l verbose -d 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rtctl -n "__fish_rtctl_using_subcommand generate" -s h -l help -d 'Print help'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "plan" -d 'Size a fleet: per-node ceiling, load distribution, failure headroom, reconnect storms and the number of nodes needed'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "simulate" -d 'Predict where a real gateway sends each device'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "serve" -d 'Run a notification node: Socket.IO for devices, the publish API, health and metrics'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "render-kong" -d 'Render a Kong 3.x declarative config (YAML or JSON) from the fleet file'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "render-nginx" -d 'Render an nginx config (sticky on the device id) from the fleet file'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "render-haproxy" -d 'Render an HAProxy config (sticky on the device id) from the fleet file'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "render-pm2" -d 'Render a PM2 ecosystem file running one `rtctl serve` per node (fork mode)'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "render-systemd" -d 'Render a systemd template unit rtctl@.service and one environment file per node'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "top" -d 'Live per-node dashboard of the fleet from the heartbeats in Redis (a snapshot table off a terminal or with --once)'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "status" -d 'The fleet\'s state for scripts: heartbeats and each node\'s /health/ready, as a table or JSON; exit 0 when healthy, 6 when degraded, 4 when Redis is unreachable'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "publish" -d 'Send a notification through a node\'s (or the gateway\'s) publish API; prints the offset'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "token" -d 'Signed connection tokens for `rtctl serve --auth jwt`'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "devices" -d 'The device registry, through a node\'s HTTP API: registered devices, whether and on which node each is connected, and where their public IPs would send them'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "bench" -d 'Measure a node or a gateway with simulated devices: idle memory, fan-out latency, throughput, reconnect jitter and avalanches, counting every lost notification'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "generate" -d 'Write shell completions and man pages generated from this command line'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and not __fish_seen_subcommand_from plan simulate serve render-kong render-nginx render-haproxy render-pm2 render-systemd top status publish token devices bench generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from simulate" -f -a "nat" -d 'Devices behind NAT: per-node histogram, skew against theory, and what moves when a node is added, removed or marked down'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from simulate" -f -a "assign" -d 'Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it (JSON Lines with `--output json`)'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "issue" -d 'Print an HS256 token naming a device, the departments it may join and its user; the device sends it as `auth.token`'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from devices" -f -a "list" -d 'Registered devices (GET /api/v1/devices), with whether and on which node each is connected now'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from devices" -f -a "show" -d 'One registered device (GET /api/v1/devices/ID)'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from devices" -f -a "remove" -d 'Decommission a device: remove its record from the registry (DELETE /api/v1/devices/ID; needs a publish-scope API key). A device still connected stays connected; registering again records it anew'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from devices" -f -a "nat-report" -d 'Devices per public IP (their last_ip_address), and how the fleet\'s gateway would spread them when hashing on the client IP compared with hashing on the device id'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "idle" -d 'Connect the devices, hold them, read the node\'s memory per connection, then check one broadcast reaches everyone'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "fanout" -d 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "throughput" -d 'Broadcasts at a rate growing by --rate-factor every step (doubling by default) until deliveries stop draining (with --stop-after-fail: until a step loses or its p99 passes --p99-limit-ms): the deliveries per second sustained with 0 lost and p99 within the limit'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "jitter" -d 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "avalanche" -d 'Drop every connection at once (or, with --failure kill, kill the node) while notifications are published: time until all devices are back and caught up'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "calibrate" -d 'Run idle, fanout and throughput against one node and write its profile (memory per connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`'
complete -c rtctl -n "__fish_rtctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "worker" -d 'One worker process of `--workers` (reads its spec and commands on stdin)'
