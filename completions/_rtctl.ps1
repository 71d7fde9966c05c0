
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rtctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rtctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rtctl' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Size a fleet: per-node ceiling, load distribution, failure headroom, reconnect storms and the number of nodes needed')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Predict where a real gateway sends each device')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a notification node: Socket.IO for devices, the publish API, health and metrics')
            [CompletionResult]::new('render-kong', 'render-kong', [CompletionResultType]::ParameterValue, 'Render a Kong 3.x declarative config (YAML or JSON) from the fleet file')
            [CompletionResult]::new('render-nginx', 'render-nginx', [CompletionResultType]::ParameterValue, 'Render an nginx config (sticky on the device id) from the fleet file')
            [CompletionResult]::new('render-haproxy', 'render-haproxy', [CompletionResultType]::ParameterValue, 'Render an HAProxy config (sticky on the device id) from the fleet file')
            [CompletionResult]::new('render-pm2', 'render-pm2', [CompletionResultType]::ParameterValue, 'Render a PM2 ecosystem file running one `rtctl serve` per node (fork mode)')
            [CompletionResult]::new('render-systemd', 'render-systemd', [CompletionResultType]::ParameterValue, 'Render a systemd template unit rtctl@.service and one environment file per node')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'Live per-node dashboard of the fleet from the heartbeats in Redis (a snapshot table off a terminal or with --once)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'The fleet''s state for scripts: heartbeats and each node''s /health/ready, as a table or JSON; exit 0 when healthy, 6 when degraded, 4 when Redis is unreachable')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Send a notification through a node''s (or the gateway''s) publish API; prints the offset')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Signed connection tokens for `rtctl serve --auth jwt`')
            [CompletionResult]::new('devices', 'devices', [CompletionResultType]::ParameterValue, 'The device registry, through a node''s HTTP API: registered devices, whether and on which node each is connected, and where their public IPs would send them')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure a node or a gateway with simulated devices: idle memory, fan-out latency, throughput, reconnect jitter and avalanches, counting every lost notification')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages generated from this command line')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;plan' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway in front of the nodes')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'Gateway hashing algorithm')
            [CompletionResult]::new('--slots', '--slots', [CompletionResultType]::ParameterName, 'Kong upstream slots (10..=65536)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--cpu-cores', '--cpu-cores', [CompletionResultType]::ParameterName, 'Cores available for deliveries on each node')
            [CompletionResult]::new('--cpu-target', '--cpu-target', [CompletionResultType]::ParameterName, 'Fraction of the CPU budget planning may use, in (0, 1]')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Host memory, e.g. 16GB or 16GiB')
            [CompletionResult]::new('--reserved-memory', '--reserved-memory', [CompletionResultType]::ParameterName, 'Memory not available to connections (OS, runtime heap)')
            [CompletionResult]::new('--fd-limit', '--fd-limit', [CompletionResultType]::ParameterName, 'Open-file limit of the node process')
            [CompletionResult]::new('--fd-reserve', '--fd-reserve', [CompletionResultType]::ParameterName, 'Descriptors kept for listeners, Redis, logs and files')
            [CompletionResult]::new('--memory-per-connection', '--memory-per-connection', [CompletionResultType]::ParameterName, 'Memory per connected device, e.g. 30KB')
            [CompletionResult]::new('--cpu-ms-per-delivery', '--cpu-ms-per-delivery', [CompletionResultType]::ParameterName, 'CPU milliseconds per delivery (one packet to one socket)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over')
            [CompletionResult]::new('--broadcasts-per-minute', '--broadcasts-per-minute', [CompletionResultType]::ParameterName, 'Broadcasts to all devices, fleet-wide, per minute')
            [CompletionResult]::new('--department-messages-per-minute', '--department-messages-per-minute', [CompletionResultType]::ParameterName, 'Department notifications, fleet-wide, per minute')
            [CompletionResult]::new('--direct-messages-per-minute', '--direct-messages-per-minute', [CompletionResultType]::ParameterName, 'Direct notifications, fleet-wide, per minute')
            [CompletionResult]::new('--ping-interval-secs', '--ping-interval-secs', [CompletionResultType]::ParameterName, 'Socket.IO pingInterval in seconds')
            [CompletionResult]::new('--reconnection-delay-ms', '--reconnection-delay-ms', [CompletionResultType]::ParameterName, 'reconnectionDelay in ms')
            [CompletionResult]::new('--reconnection-delay-max-ms', '--reconnection-delay-max-ms', [CompletionResultType]::ParameterName, 'reconnectionDelayMax in ms')
            [CompletionResult]::new('--randomization-factor', '--randomization-factor', [CompletionResultType]::ParameterName, 'randomizationFactor, 0..=1')
            [CompletionResult]::new('--reconnection-attempts', '--reconnection-attempts', [CompletionResultType]::ParameterName, 'reconnectionAttempts; 0 = unlimited (the client''s default)')
            [CompletionResult]::new('--percentile', '--percentile', [CompletionResultType]::ParameterName, 'Percentile of the most loaded node that must fit, e.g. 99 or 99.9')
            [CompletionResult]::new('--headroom', '--headroom', [CompletionResultType]::ParameterName, 'Fraction of each node''s ceiling to keep free at that percentile, in [0, 1)')
            [CompletionResult]::new('--failures', '--failures', [CompletionResultType]::ParameterName, 'Node failures the fleet must survive (with the survivors still within their ceiling)')
            [CompletionResult]::new('--outage-secs', '--outage-secs', [CompletionResultType]::ParameterName, 'Seconds until a failed node''s devices can connect again (gateway detection or restart). Default per gateway: nginx 0 (next upstream on a refused connect), Kong 15, HAProxy 6 (active health checks)')
            [CompletionResult]::new('--max-nodes', '--max-nodes', [CompletionResultType]::ParameterName, 'Largest node count to consider')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'A node profile measured by `rtctl bench calibrate`: its figures replace the assumed ones (flags still win), and the report says which figures are measured')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Show the formula behind every number')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;simulate' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('nat', 'nat', [CompletionResultType]::ParameterValue, 'Devices behind NAT: per-node histogram, skew against theory, and what moves when a node is added, removed or marked down')
            [CompletionResult]::new('assign', 'assign', [CompletionResultType]::ParameterValue, 'Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it (JSON Lines with `--output json`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;simulate;nat' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway in front of the nodes')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'Gateway hashing algorithm')
            [CompletionResult]::new('--slots', '--slots', [CompletionResultType]::ParameterName, 'Kong upstream slots (10..=65536)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--ids-file', '--ids-file', [CompletionResultType]::ParameterName, 'Read device ids from this file (one per line) instead of generating them')
            [CompletionResult]::new('--public-ips', '--public-ips', [CompletionResultType]::ParameterName, 'Public IPs the devices share (1 = all behind one NAT, the enterprise case)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'What the gateway hashes on')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Which socket.io-client the devices run')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Engine.IO transports of the clients')
            [CompletionResult]::new('--kong-version', '--kong-version', [CompletionResultType]::ParameterName, 'Kong version, e.g. 3.9 (3.8-3.9 ignore a hash header whose name contains ''-'')')
            [CompletionResult]::new('--add', '--add', [CompletionResultType]::ParameterName, 'Also show what moves when this node is added (ADDR:PORT). --add, --remove and --down apply in the order given, each on top of the ones before it')
            [CompletionResult]::new('--remove', '--remove', [CompletionResultType]::ParameterName, 'Also show what moves when this node (id or ADDR:PORT) is removed from the config')
            [CompletionResult]::new('--down', '--down', [CompletionResultType]::ParameterName, 'Also show what moves when this node (id or ADDR:PORT) is marked down')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'RNG seed for device ids and their public IPs')
            [CompletionResult]::new('--bar-width', '--bar-width', [CompletionResultType]::ParameterName, 'Width of the bar chart in characters')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;simulate;assign' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file (TOML): its gateway algorithm, slots and nodes (weights, HAProxy ids)')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file (TOML): its gateway algorithm, slots and nodes (weights, HAProxy ids)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, '`table`: `key<TAB>ADDR:PORT` lines; `json`: JSON Lines `{"key":…,"target":…}`')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, '`table`: `key<TAB>ADDR:PORT` lines; `json`: JSON Lines `{"key":…,"target":…}`')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway algorithm (required without a fleet file)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'A target, in config order: `ADDR:PORT[,weight=W][,id=N]`. Repeat per target. Replaces the fleet''s nodes (required without a fleet file)')
            [CompletionResult]::new('--slots', '--slots', [CompletionResultType]::ParameterName, 'Kong slots (10..=65536). Default: the fleet''s, else 10000')
            [CompletionResult]::new('--down', '--down', [CompletionResultType]::ParameterName, 'A target marked down/unhealthy (kept in the config). Repeatable')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'File of keys, one per line ("-" for stdin)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;simulate;help' {
            [CompletionResult]::new('nat', 'nat', [CompletionResultType]::ParameterValue, 'Devices behind NAT: per-node histogram, skew against theory, and what moves when a node is added, removed or marked down')
            [CompletionResult]::new('assign', 'assign', [CompletionResultType]::ParameterValue, 'Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it (JSON Lines with `--output json`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;simulate;help;nat' {
            break
        }
        'rtctl;simulate;help;assign' {
            break
        }
        'rtctl;simulate;help;help' {
            break
        }
        'rtctl;serve' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file (TOML): run the node `--node-id` names, with the fleet''s settings')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file (TOML): run the node `--node-id` names, with the fleet''s settings')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on. Default: the node''s `listen` or `host:port` in the fleet file, else 127.0.0.1:3000')
            [CompletionResult]::new('--node-id', '--node-id', [CompletionResultType]::ParameterName, 'This node''s id (reported in x-rtctl-node, /health, heartbeats); required with a fleet file, where it must be one of its nodes. Default without one: the listen address')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis URL: the shared log and heartbeats. Without it, one node with an in-memory log. `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` (DB: the database index, default 0): a server or any node of a Redis Cluster (comma-separate several cluster nodes), or `redis+sentinel://HOST:PORT,HOST:PORT/MASTER` (a primary found and followed through Redis Sentinel). `rediss://` and `rediss+sentinel://` for TLS (see --redis-ca). Default: the fleet file''s `[redis] url`')
            [CompletionResult]::new('--redis-ca', '--redis-ca', [CompletionResultType]::ParameterName, 'CA certificate(s), PEM, that signed the Redis server''s certificate (`rediss://` URLs): trusted instead of the system''s roots')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Require `Authorization: Bearer KEY` on the publish API (required off loopback)')
            [CompletionResult]::new('--api-keys', '--api-keys', [CompletionResultType]::ParameterName, 'Named API keys with scopes, a TOML file of `[[key]] name, secret (or sha256), scope = "publish" | "read"`. Re-read when it changes (and on SIGHUP): removing an entry revokes the key without a restart. With it, `/metrics` and `/health` need a key too (any scope); `/health/live` and `/health/ready` never do. `--api-key` adds a key named `default`')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Seconds to drain on SIGTERM/SIGINT before exiting. Default: the fleet''s `[serve] drain_timeout_secs`, else 10')
            [CompletionResult]::new('--cors-origin', '--cors-origin', [CompletionResultType]::ParameterName, 'Browser origins allowed to use long-polling (repeat, or comma-separated; `*` for any)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Key namespace in Redis (one per fleet). Default: the fleet''s `[redis] namespace`, else "default"')
            [CompletionResult]::new('--log-max-len', '--log-max-len', [CompletionResultType]::ParameterName, 'Entries the log keeps (older ones are trimmed); devices away longer get notification:gap. Default: the fleet''s `[serve] log_max_len`, else 100000')
            [CompletionResult]::new('--log-max-age-secs', '--log-max-age-secs', [CompletionResultType]::ParameterName, 'Seconds the log keeps an entry (0 = no age limit). Default: the fleet''s `[serve] log_max_age_secs`, else 86400')
            [CompletionResult]::new('--ping-interval-ms', '--ping-interval-ms', [CompletionResultType]::ParameterName, 'Socket.IO pingInterval in milliseconds')
            [CompletionResult]::new('--ping-timeout-ms', '--ping-timeout-ms', [CompletionResultType]::ParameterName, 'Socket.IO pingTimeout in milliseconds')
            [CompletionResult]::new('--max-queue-frames', '--max-queue-frames', [CompletionResultType]::ParameterName, 'Frames a device''s send queue holds; a device over it is caught up from the log instead')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Open connections served (default: the open-file limit minus 512, which leaves room for the reserved connections, Redis and files)')
            [CompletionResult]::new('--reserved-connections', '--reserved-connections', [CompletionResultType]::ParameterName, 'Connections beyond --max-connections kept for health checks, metrics and the API (one request each; Socket.IO gets 503 there)')
            [CompletionResult]::new('--header-timeout-secs', '--header-timeout-secs', [CompletionResultType]::ParameterName, 'Seconds a client has to send a request head')
            [CompletionResult]::new('--max-header-bytes', '--max-header-bytes', [CompletionResultType]::ParameterName, 'Largest request head (request line and headers) in bytes; larger ones get 431')
            [CompletionResult]::new('--body-timeout-secs', '--body-timeout-secs', [CompletionResultType]::ParameterName, 'Seconds a client has to send a request body, once its head has arrived')
            [CompletionResult]::new('--max-unfinished-per-ip', '--max-unfinished-per-ip', [CompletionResultType]::ParameterName, 'Requests with a body still arriving, per client IP (429 beyond)')
            [CompletionResult]::new('--max-handshakes-per-ip', '--max-handshakes-per-ip', [CompletionResultType]::ParameterName, 'Engine.IO sessions per client IP not yet connected to a namespace (429 beyond)')
            [CompletionResult]::new('--trusted-proxy', '--trusted-proxy', [CompletionResultType]::ParameterName, 'Gateway (IP or CIDR) whose X-Forwarded-For names the client, for the per-IP limits and the client-IP figures in heartbeats (`rtctl top`''s NAT-trap alert); repeat, or comma-separate. Other peers are the client themselves')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Device authentication: `none` (any client may claim any device id; development only, logged loudly) or `jwt` (every CONNECT carries `auth.token` from `rtctl token issue`)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Token keys for `--auth jwt`: one per line, all accepted (two during a rotation)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the device registry (POST /api/v1/devices/register) on disk in DIR when the node runs without --redis (with --redis it is in Redis). Without either, registration answers 503')
            [CompletionResult]::new('--durability', '--durability', [CompletionResultType]::ParameterName, 'When a publish is acknowledged (202). Every node of a fleet must use the same mode')
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'Replicas that must confirm a publish with --durability replicated or replicated-aof')
            [CompletionResult]::new('--replica-timeout-ms', '--replica-timeout-ms', [CompletionResultType]::ParameterName, 'How long a publish waits for its replicas before it is refused with 503')
            [CompletionResult]::new('--idempotency-ttl-secs', '--idempotency-ttl-secs', [CompletionResultType]::ParameterName, 'How long an Idempotency-Key is remembered: a publish retried with the same key within it returns the first id and is delivered once')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;render-kong' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway in front of the nodes')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'Gateway hashing algorithm')
            [CompletionResult]::new('--slots', '--slots', [CompletionResultType]::ParameterName, 'Kong upstream slots (10..=65536)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the config to FILE instead of stdout')
            [CompletionResult]::new('--idle-timeout-secs', '--idle-timeout-secs', [CompletionResultType]::ParameterName, 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Config syntax (Kong reads both)')
            [CompletionResult]::new('--upstream', '--upstream', [CompletionResultType]::ParameterName, 'Upstream name, also the service host (a hostname, not an IP)')
            [CompletionResult]::new('--kong-version', '--kong-version', [CompletionResultType]::ParameterName, 'Kong version the config is for (3.x); overrides the fleet''s kong_version')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;render-nginx' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway in front of the nodes')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'Gateway hashing algorithm')
            [CompletionResult]::new('--slots', '--slots', [CompletionResultType]::ParameterName, 'Kong upstream slots (10..=65536)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the config to FILE instead of stdout')
            [CompletionResult]::new('--idle-timeout-secs', '--idle-timeout-secs', [CompletionResultType]::ParameterName, 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address the gateway listens on')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;render-haproxy' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway in front of the nodes')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'Gateway hashing algorithm')
            [CompletionResult]::new('--slots', '--slots', [CompletionResultType]::ParameterName, 'Kong upstream slots (10..=65536)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the config to FILE instead of stdout')
            [CompletionResult]::new('--idle-timeout-secs', '--idle-timeout-secs', [CompletionResultType]::ParameterName, 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address the gateway listens on')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;render-pm2' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway in front of the nodes')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'Gateway hashing algorithm')
            [CompletionResult]::new('--slots', '--slots', [CompletionResultType]::ParameterName, 'Kong upstream slots (10..=65536)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Absolute path of the rtctl binary on the hosts')
            [CompletionResult]::new('--fleet-path', '--fleet-path', [CompletionResultType]::ParameterName, 'Where the fleet file is on the hosts: each node runs `rtctl serve -f PATH --node-id ID`. Default: the absolute path of the -f file, else /etc/rtctl/fleet.toml')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Drain timeout of every node, seconds, overriding the fleet''s `[serve] drain_timeout_secs` (the process manager waits 5 s longer)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Parent of the node''s device-registry directory: a single-node fleet without [redis] runs `rtctl serve ... --data-dir DIR/<node-id>` (systemd makes it a StateDirectory under /var/lib). Not passed with Redis (the registry is in Redis) or to several nodes without it (they would keep separate registries)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the ecosystem file to FILE instead of stdout')
            [CompletionResult]::new('--log-dir', '--log-dir', [CompletionResultType]::ParameterName, 'Directory for the nodes'' log files')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;render-systemd' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway in front of the nodes')
            [CompletionResult]::new('--algorithm', '--algorithm', [CompletionResultType]::ParameterName, 'Gateway hashing algorithm')
            [CompletionResult]::new('--slots', '--slots', [CompletionResultType]::ParameterName, 'Kong upstream slots (10..=65536)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Number of devices')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Absolute path of the rtctl binary on the hosts')
            [CompletionResult]::new('--fleet-path', '--fleet-path', [CompletionResultType]::ParameterName, 'Where the fleet file is on the hosts: each node runs `rtctl serve -f PATH --node-id ID`. Default: the absolute path of the -f file, else /etc/rtctl/fleet.toml')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Drain timeout of every node, seconds, overriding the fleet''s `[serve] drain_timeout_secs` (the process manager waits 5 s longer)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Parent of the node''s device-registry directory: a single-node fleet without [redis] runs `rtctl serve ... --data-dir DIR/<node-id>` (systemd makes it a StateDirectory under /var/lib). Not passed with Redis (the registry is in Redis) or to several nodes without it (they would keep separate registries)')
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write `rtctl@.service` and `<node>.env` into DIR instead of printing them')
            [CompletionResult]::new('--env-dir', '--env-dir', [CompletionResultType]::ParameterName, 'Where the environment files live on the hosts')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The service user')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;top' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis URL the nodes write heartbeats to (a cluster: any node, or several comma-separated). Default: the fleet file''s `[redis] url`')
            [CompletionResult]::new('--redis-ca', '--redis-ca', [CompletionResultType]::ParameterName, 'CA certificate(s), PEM, that signed the Redis server''s certificate (`rediss://` URLs): trusted instead of the system''s roots')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted shares) and the profile (`plan`''s per-node ceiling)')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted shares) and the profile (`plan`''s per-node ceiling)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The fleet''s namespace (as given to `serve --namespace`)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds between refreshes (one Redis round trip each)')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Print one snapshot table and exit (also what happens off a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;status' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis URL the nodes write heartbeats to (a cluster: any node, or several comma-separated). Default: the fleet file''s `[redis] url`')
            [CompletionResult]::new('--redis-ca', '--redis-ca', [CompletionResultType]::ParameterName, 'CA certificate(s), PEM, that signed the Redis server''s certificate (`rediss://` URLs): trusted instead of the system''s roots')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted shares) and the profile (`plan`''s per-node ceiling)')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted shares) and the profile (`plan`''s per-node ceiling)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The fleet''s namespace (as given to `serve --namespace`)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each node''s /health/ready')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;publish' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: the offset as text, or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: the offset as text, or JSON for scripts')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The node''s API key, sent as `Authorization: Bearer <key>`')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the answer')
            [CompletionResult]::new('--department', '--department', [CompletionResultType]::ParameterName, 'Send to every device of this department')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Send to one device')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'The notification, as JSON (default `{}`)')
            [CompletionResult]::new('--payload-file', '--payload-file', [CompletionResultType]::ParameterName, 'Read the notification (JSON) from a file ("-" for stdin)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Send the notification this many times (a smoke load; progress bar on a terminal)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'At most this many requests per second with --count (0: as fast as the node answers)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Send to every device')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;token' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Print an HS256 token naming a device, the departments it may join and its user; the device sends it as `auth.token`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;token;issue' {
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'The device id the token proves')
            [CompletionResult]::new('--department', '--department', [CompletionResultType]::ParameterName, 'A department the device may join (repeat for several)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The user id')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Lifetime: 30d, 12h, 15m, 90s or seconds')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Key file: one key per line (at least 32 bytes); the first signs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;token;help' {
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Print an HS256 token naming a device, the departments it may join and its user; the device sends it as `auth.token`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;token;help;issue' {
            break
        }
        'rtctl;token;help;help' {
            break
        }
        'rtctl;devices' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Registered devices (GET /api/v1/devices), with whether and on which node each is connected now')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One registered device (GET /api/v1/devices/ID)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Decommission a device: remove its record from the registry (DELETE /api/v1/devices/ID; needs a publish-scope API key). A device still connected stays connected; registering again records it anew')
            [CompletionResult]::new('nat-report', 'nat-report', [CompletionResultType]::ParameterValue, 'Devices per public IP (their last_ip_address), and how the fleet''s gateway would spread them when hashing on the client IP compared with hashing on the device id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;devices;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The node''s API key, sent as `Authorization: Bearer <key>`')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the answer')
            [CompletionResult]::new('--department', '--department', [CompletionResultType]::ParameterName, 'Only this department''s devices')
            [CompletionResult]::new('--online', '--online', [CompletionResultType]::ParameterName, 'Only devices connected now')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Only devices not connected now')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;devices;show' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The node''s API key, sent as `Authorization: Bearer <key>`')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;devices;remove' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The node''s API key, sent as `Authorization: Bearer <key>`')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the answer')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;devices;nat-report' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The node''s API key, sent as `Authorization: Bearer <key>`')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the answer')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fleet file (TOML): its nodes and gateway. Without it the guide''s 3-node Kong fleet')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Fleet file (TOML): its nodes and gateway. Without it the guide''s 3-node Kong fleet')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway in front of the nodes')
            [CompletionResult]::new('--department', '--department', [CompletionResultType]::ParameterName, 'Only this department''s devices')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Public IPs listed in the table (the largest); JSON lists them all')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;devices;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Registered devices (GET /api/v1/devices), with whether and on which node each is connected now')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One registered device (GET /api/v1/devices/ID)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Decommission a device: remove its record from the registry (DELETE /api/v1/devices/ID; needs a publish-scope API key). A device still connected stays connected; registering again records it anew')
            [CompletionResult]::new('nat-report', 'nat-report', [CompletionResultType]::ParameterValue, 'Devices per public IP (their last_ip_address), and how the fleet''s gateway would spread them when hashing on the client IP compared with hashing on the device id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;devices;help;list' {
            break
        }
        'rtctl;devices;help;show' {
            break
        }
        'rtctl;devices;help;remove' {
            break
        }
        'rtctl;devices;help;nat-report' {
            break
        }
        'rtctl;devices;help;help' {
            break
        }
        'rtctl;bench' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('idle', 'idle', [CompletionResultType]::ParameterValue, 'Connect the devices, hold them, read the node''s memory per connection, then check one broadcast reaches everyone')
            [CompletionResult]::new('fanout', 'fanout', [CompletionResultType]::ParameterValue, 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind')
            [CompletionResult]::new('throughput', 'throughput', [CompletionResultType]::ParameterValue, 'Broadcasts at a rate growing by --rate-factor every step (doubling by default) until deliveries stop draining (with --stop-after-fail: until a step loses or its p99 passes --p99-limit-ms): the deliveries per second sustained with 0 lost and p99 within the limit')
            [CompletionResult]::new('jitter', 'jitter', [CompletionResultType]::ParameterValue, 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back')
            [CompletionResult]::new('avalanche', 'avalanche', [CompletionResultType]::ParameterValue, 'Drop every connection at once (or, with --failure kill, kill the node) while notifications are published: time until all devices are back and caught up')
            [CompletionResult]::new('calibrate', 'calibrate', [CompletionResultType]::ParameterValue, 'Run idle, fanout and throughput against one node and write its profile (memory per connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`')
            [CompletionResult]::new('worker', 'worker', [CompletionResultType]::ParameterValue, 'One worker process of `--workers` (reads its spec and commands on stdin)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;bench;idle' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--also-url', '--also-url', [CompletionResultType]::ParameterName, 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How devices talk to the node')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the device ids')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)')
            [CompletionResult]::new('--src-ip', '--src-ip', [CompletionResultType]::ParameterName, 'Source addresses to connect from (split over the workers)')
            [CompletionResult]::new('--connect-concurrency', '--connect-concurrency', [CompletionResultType]::ParameterName, 'Handshakes in flight at once')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound of the connect phase, seconds')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'idle: seconds to hold the connections')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'fanout: rounds of (broadcast, department, device)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Publishes per second (throughput: the first step''s rate)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'throughput: at most this many steps')
            [CompletionResult]::new('--rate-factor', '--rate-factor', [CompletionResultType]::ParameterName, 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)')
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
            [CompletionResult]::new('--failure', '--failure', [CompletionResultType]::ParameterName, 'avalanche: how every device is taken away at once')
            [CompletionResult]::new('--restart-cmd', '--restart-cmd', [CompletionResultType]::ParameterName, 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)')
            [CompletionResult]::new('--reconnect-delay-ms', '--reconnect-delay-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)')
            [CompletionResult]::new('--reconnect-delay-max-ms', '--reconnect-delay-max-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelayMax (ms)')
            [CompletionResult]::new('--settle', '--settle', [CompletionResultType]::ParameterName, 'Longest wait for deliveries (and reconnections) to complete, seconds')
            [CompletionResult]::new('--payload-bytes', '--payload-bytes', [CompletionResultType]::ParameterName, 'Approximate notification payload size in bytes')
            [CompletionResult]::new('--publish-concurrency', '--publish-concurrency', [CompletionResultType]::ParameterName, 'Publish requests in flight at once')
            [CompletionResult]::new('--server-pid', '--server-pid', [CompletionResultType]::ParameterName, 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Key namespace of the fleet in Redis')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Write an SVG chart of latency percentiles and connections over time')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band')
            [CompletionResult]::new('--stop-after-fail', '--stop-after-fail', [CompletionResultType]::ParameterName, 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;fanout' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--also-url', '--also-url', [CompletionResultType]::ParameterName, 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How devices talk to the node')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the device ids')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)')
            [CompletionResult]::new('--src-ip', '--src-ip', [CompletionResultType]::ParameterName, 'Source addresses to connect from (split over the workers)')
            [CompletionResult]::new('--connect-concurrency', '--connect-concurrency', [CompletionResultType]::ParameterName, 'Handshakes in flight at once')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound of the connect phase, seconds')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'idle: seconds to hold the connections')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'fanout: rounds of (broadcast, department, device)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Publishes per second (throughput: the first step''s rate)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'throughput: at most this many steps')
            [CompletionResult]::new('--rate-factor', '--rate-factor', [CompletionResultType]::ParameterName, 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)')
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
            [CompletionResult]::new('--failure', '--failure', [CompletionResultType]::ParameterName, 'avalanche: how every device is taken away at once')
            [CompletionResult]::new('--restart-cmd', '--restart-cmd', [CompletionResultType]::ParameterName, 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)')
            [CompletionResult]::new('--reconnect-delay-ms', '--reconnect-delay-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)')
            [CompletionResult]::new('--reconnect-delay-max-ms', '--reconnect-delay-max-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelayMax (ms)')
            [CompletionResult]::new('--settle', '--settle', [CompletionResultType]::ParameterName, 'Longest wait for deliveries (and reconnections) to complete, seconds')
            [CompletionResult]::new('--payload-bytes', '--payload-bytes', [CompletionResultType]::ParameterName, 'Approximate notification payload size in bytes')
            [CompletionResult]::new('--publish-concurrency', '--publish-concurrency', [CompletionResultType]::ParameterName, 'Publish requests in flight at once')
            [CompletionResult]::new('--server-pid', '--server-pid', [CompletionResultType]::ParameterName, 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Key namespace of the fleet in Redis')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Write an SVG chart of latency percentiles and connections over time')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band')
            [CompletionResult]::new('--stop-after-fail', '--stop-after-fail', [CompletionResultType]::ParameterName, 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;throughput' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--also-url', '--also-url', [CompletionResultType]::ParameterName, 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How devices talk to the node')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the device ids')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)')
            [CompletionResult]::new('--src-ip', '--src-ip', [CompletionResultType]::ParameterName, 'Source addresses to connect from (split over the workers)')
            [CompletionResult]::new('--connect-concurrency', '--connect-concurrency', [CompletionResultType]::ParameterName, 'Handshakes in flight at once')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound of the connect phase, seconds')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'idle: seconds to hold the connections')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'fanout: rounds of (broadcast, department, device)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Publishes per second (throughput: the first step''s rate)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'throughput: at most this many steps')
            [CompletionResult]::new('--rate-factor', '--rate-factor', [CompletionResultType]::ParameterName, 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)')
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
            [CompletionResult]::new('--failure', '--failure', [CompletionResultType]::ParameterName, 'avalanche: how every device is taken away at once')
            [CompletionResult]::new('--restart-cmd', '--restart-cmd', [CompletionResultType]::ParameterName, 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)')
            [CompletionResult]::new('--reconnect-delay-ms', '--reconnect-delay-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)')
            [CompletionResult]::new('--reconnect-delay-max-ms', '--reconnect-delay-max-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelayMax (ms)')
            [CompletionResult]::new('--settle', '--settle', [CompletionResultType]::ParameterName, 'Longest wait for deliveries (and reconnections) to complete, seconds')
            [CompletionResult]::new('--payload-bytes', '--payload-bytes', [CompletionResultType]::ParameterName, 'Approximate notification payload size in bytes')
            [CompletionResult]::new('--publish-concurrency', '--publish-concurrency', [CompletionResultType]::ParameterName, 'Publish requests in flight at once')
            [CompletionResult]::new('--server-pid', '--server-pid', [CompletionResultType]::ParameterName, 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Key namespace of the fleet in Redis')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Write an SVG chart of latency percentiles and connections over time')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band')
            [CompletionResult]::new('--stop-after-fail', '--stop-after-fail', [CompletionResultType]::ParameterName, 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;jitter' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--also-url', '--also-url', [CompletionResultType]::ParameterName, 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How devices talk to the node')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the device ids')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)')
            [CompletionResult]::new('--src-ip', '--src-ip', [CompletionResultType]::ParameterName, 'Source addresses to connect from (split over the workers)')
            [CompletionResult]::new('--connect-concurrency', '--connect-concurrency', [CompletionResultType]::ParameterName, 'Handshakes in flight at once')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound of the connect phase, seconds')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'idle: seconds to hold the connections')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'fanout: rounds of (broadcast, department, device)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Publishes per second (throughput: the first step''s rate)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'throughput: at most this many steps')
            [CompletionResult]::new('--rate-factor', '--rate-factor', [CompletionResultType]::ParameterName, 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)')
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
            [CompletionResult]::new('--failure', '--failure', [CompletionResultType]::ParameterName, 'avalanche: how every device is taken away at once')
            [CompletionResult]::new('--restart-cmd', '--restart-cmd', [CompletionResultType]::ParameterName, 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)')
            [CompletionResult]::new('--reconnect-delay-ms', '--reconnect-delay-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)')
            [CompletionResult]::new('--reconnect-delay-max-ms', '--reconnect-delay-max-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelayMax (ms)')
            [CompletionResult]::new('--settle', '--settle', [CompletionResultType]::ParameterName, 'Longest wait for deliveries (and reconnections) to complete, seconds')
            [CompletionResult]::new('--payload-bytes', '--payload-bytes', [CompletionResultType]::ParameterName, 'Approximate notification payload size in bytes')
            [CompletionResult]::new('--publish-concurrency', '--publish-concurrency', [CompletionResultType]::ParameterName, 'Publish requests in flight at once')
            [CompletionResult]::new('--server-pid', '--server-pid', [CompletionResultType]::ParameterName, 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Key namespace of the fleet in Redis')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Write an SVG chart of latency percentiles and connections over time')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band')
            [CompletionResult]::new('--stop-after-fail', '--stop-after-fail', [CompletionResultType]::ParameterName, 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;avalanche' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--also-url', '--also-url', [CompletionResultType]::ParameterName, 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How devices talk to the node')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the device ids')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)')
            [CompletionResult]::new('--src-ip', '--src-ip', [CompletionResultType]::ParameterName, 'Source addresses to connect from (split over the workers)')
            [CompletionResult]::new('--connect-concurrency', '--connect-concurrency', [CompletionResultType]::ParameterName, 'Handshakes in flight at once')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound of the connect phase, seconds')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'idle: seconds to hold the connections')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'fanout: rounds of (broadcast, department, device)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Publishes per second (throughput: the first step''s rate)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'throughput: at most this many steps')
            [CompletionResult]::new('--rate-factor', '--rate-factor', [CompletionResultType]::ParameterName, 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)')
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
            [CompletionResult]::new('--failure', '--failure', [CompletionResultType]::ParameterName, 'avalanche: how every device is taken away at once')
            [CompletionResult]::new('--restart-cmd', '--restart-cmd', [CompletionResultType]::ParameterName, 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)')
            [CompletionResult]::new('--reconnect-delay-ms', '--reconnect-delay-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)')
            [CompletionResult]::new('--reconnect-delay-max-ms', '--reconnect-delay-max-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelayMax (ms)')
            [CompletionResult]::new('--settle', '--settle', [CompletionResultType]::ParameterName, 'Longest wait for deliveries (and reconnections) to complete, seconds')
            [CompletionResult]::new('--payload-bytes', '--payload-bytes', [CompletionResultType]::ParameterName, 'Approximate notification payload size in bytes')
            [CompletionResult]::new('--publish-concurrency', '--publish-concurrency', [CompletionResultType]::ParameterName, 'Publish requests in flight at once')
            [CompletionResult]::new('--server-pid', '--server-pid', [CompletionResultType]::ParameterName, 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Key namespace of the fleet in Redis')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Write an SVG chart of latency percentiles and connections over time')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band')
            [CompletionResult]::new('--stop-after-fail', '--stop-after-fail', [CompletionResultType]::ParameterName, 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;calibrate' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--also-url', '--also-url', [CompletionResultType]::ParameterName, 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How devices talk to the node')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the device ids')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)')
            [CompletionResult]::new('--src-ip', '--src-ip', [CompletionResultType]::ParameterName, 'Source addresses to connect from (split over the workers)')
            [CompletionResult]::new('--connect-concurrency', '--connect-concurrency', [CompletionResultType]::ParameterName, 'Handshakes in flight at once')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound of the connect phase, seconds')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'idle: seconds to hold the connections')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'fanout: rounds of (broadcast, department, device)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Publishes per second (throughput: the first step''s rate)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'throughput: at most this many steps')
            [CompletionResult]::new('--rate-factor', '--rate-factor', [CompletionResultType]::ParameterName, 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)')
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
            [CompletionResult]::new('--failure', '--failure', [CompletionResultType]::ParameterName, 'avalanche: how every device is taken away at once')
            [CompletionResult]::new('--restart-cmd', '--restart-cmd', [CompletionResultType]::ParameterName, 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)')
            [CompletionResult]::new('--reconnect-delay-ms', '--reconnect-delay-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)')
            [CompletionResult]::new('--reconnect-delay-max-ms', '--reconnect-delay-max-ms', [CompletionResultType]::ParameterName, 'socket.io-client''s reconnectionDelayMax (ms)')
            [CompletionResult]::new('--settle', '--settle', [CompletionResultType]::ParameterName, 'Longest wait for deliveries (and reconnections) to complete, seconds')
            [CompletionResult]::new('--payload-bytes', '--payload-bytes', [CompletionResultType]::ParameterName, 'Approximate notification payload size in bytes')
            [CompletionResult]::new('--publish-concurrency', '--publish-concurrency', [CompletionResultType]::ParameterName, 'Publish requests in flight at once')
            [CompletionResult]::new('--server-pid', '--server-pid', [CompletionResultType]::ParameterName, 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Key namespace of the fleet in Redis')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Write an SVG chart of latency percentiles and connections over time')
            [CompletionResult]::new('--fleet', '--fleet', [CompletionResultType]::ParameterName, 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write the node profile (TOML)')
            [CompletionResult]::new('--stop-after-fail', '--stop-after-fail', [CompletionResultType]::ParameterName, 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;worker' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rtctl;bench;help' {
            [CompletionResult]::new('idle', 'idle', [CompletionResultType]::ParameterValue, 'Connect the devices, hold them, read the node''s memory per connection, then check one broadcast reaches everyone')
            [CompletionResult]::new('fanout', 'fanout', [CompletionResultType]::ParameterValue, 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind')
            [CompletionResult]::new('throughput', 'throughput', [CompletionResultType]::ParameterValue, 'Broadcasts at a rate growing by --rate-factor every step (doubling by default) until deliveries stop draining (with --stop-after-fail: until a step loses or its p99 passes --p99-limit-ms): the deliveries per second sustained with 0 lost and p99 within the limit')
            [CompletionResult]::new('jitter', 'jitter', [CompletionResultType]::ParameterValue, 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back')
            [CompletionResult]::new('avalanche', 'avalanche', [CompletionResultType]::ParameterValue, 'Drop every connection at once (or, with --failure kill, kill the node) while notifications are published: time until all devices are back and caught up')
            [CompletionResult]::new('calibrate', 'calibrate', [CompletionResultType]::ParameterValue, 'Run idle, fanout and throughput against one node and write its profile (memory per connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`')
            [CompletionResult]::new('worker', 'worker', [CompletionResultType]::ParameterValue, 'One worker process of `--workers` (reads its spec and commands on stdin)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;bench;help;idle' {
            break
        }
        'rtctl;bench;help;fanout' {
            break
        }
        'rtctl;bench;help;throughput' {
            break
        }
        'rtctl;bench;help;jitter' {
            break
        }
        'rtctl;bench;help;avalanche' {
            break
        }
        'rtctl;bench;help;calibrate' {
            break
        }
        'rtctl;bench;help;worker' {
            break
        }
        'rtctl;bench;help;help' {
            break
        }
        'rtctl;generate' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory that receives completions/ and man/')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rtctl;help' {
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Size a fleet: per-node ceiling, load distribution, failure headroom, reconnect storms and the number of nodes needed')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Predict where a real gateway sends each device')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a notification node: Socket.IO for devices, the publish API, health and metrics')
            [CompletionResult]::new('render-kong', 'render-kong', [CompletionResultType]::ParameterValue, 'Render a Kong 3.x declarative config (YAML or JSON) from the fleet file')
            [CompletionResult]::new('render-nginx', 'render-nginx', [CompletionResultType]::ParameterValue, 'Render an nginx config (sticky on the device id) from the fleet file')
            [CompletionResult]::new('render-haproxy', 'render-haproxy', [CompletionResultType]::ParameterValue, 'Render an HAProxy config (sticky on the device id) from the fleet file')
            [CompletionResult]::new('render-pm2', 'render-pm2', [CompletionResultType]::ParameterValue, 'Render a PM2 ecosystem file running one `rtctl serve` per node (fork mode)')
            [CompletionResult]::new('render-systemd', 'render-systemd', [CompletionResultType]::ParameterValue, 'Render a systemd template unit rtctl@.service and one environment file per node')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'Live per-node dashboard of the fleet from the heartbeats in Redis (a snapshot table off a terminal or with --once)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'The fleet''s state for scripts: heartbeats and each node''s /health/ready, as a table or JSON; exit 0 when healthy, 6 when degraded, 4 when Redis is unreachable')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Send a notification through a node''s (or the gateway''s) publish API; prints the offset')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Signed connection tokens for `rtctl serve --auth jwt`')
            [CompletionResult]::new('devices', 'devices', [CompletionResultType]::ParameterValue, 'The device registry, through a node''s HTTP API: registered devices, whether and on which node each is connected, and where their public IPs would send them')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure a node or a gateway with simulated devices: idle memory, fan-out latency, throughput, reconnect jitter and avalanches, counting every lost notification')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages generated from this command line')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;help;plan' {
            break
        }
        'rtctl;help;simulate' {
            [CompletionResult]::new('nat', 'nat', [CompletionResultType]::ParameterValue, 'Devices behind NAT: per-node histogram, skew against theory, and what moves when a node is added, removed or marked down')
            [CompletionResult]::new('assign', 'assign', [CompletionResultType]::ParameterValue, 'Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it (JSON Lines with `--output json`)')
            break
        }
        'rtctl;help;simulate;nat' {
            break
        }
        'rtctl;help;simulate;assign' {
            break
        }
        'rtctl;help;serve' {
            break
        }
        'rtctl;help;render-kong' {
            break
        }
        'rtctl;help;render-nginx' {
            break
        }
        'rtctl;help;render-haproxy' {
            break
        }
        'rtctl;help;render-pm2' {
            break
        }
        'rtctl;help;render-systemd' {
            break
        }
        'rtctl;help;top' {
            break
        }
        'rtctl;help;status' {
            break
        }
        'rtctl;help;publish' {
            break
        }
        'rtctl;help;token' {
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Print an HS256 token naming a device, the departments it may join and its user; the device sends it as `auth.token`')
            break
        }
        'rtctl;help;token;issue' {
            break
        }
        'rtctl;help;devices' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Registered devices (GET /api/v1/devices), with whether and on which node each is connected now')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One registered device (GET /api/v1/devices/ID)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Decommission a device: remove its record from the registry (DELETE /api/v1/devices/ID; needs a publish-scope API key). A device still connected stays connected; registering again records it anew')
            [CompletionResult]::new('nat-report', 'nat-report', [CompletionResultType]::ParameterValue, 'Devices per public IP (their last_ip_address), and how the fleet''s gateway would spread them when hashing on the client IP compared with hashing on the device id')
            break
        }
        'rtctl;help;devices;list' {
            break
        }
        'rtctl;help;devices;show' {
            break
        }
        'rtctl;help;devices;remove' {
            break
        }
        'rtctl;help;devices;nat-report' {
            break
        }
        'rtctl;help;bench' {
            [CompletionResult]::new('idle', 'idle', [CompletionResultType]::ParameterValue, 'Connect the devices, hold them, read the node''s memory per connection, then check one broadcast reaches everyone')
            [CompletionResult]::new('fanout', 'fanout', [CompletionResultType]::ParameterValue, 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind')
            [CompletionResult]::new('throughput', 'throughput', [CompletionResultType]::ParameterValue, 'Broadcasts at a rate growing by --rate-factor every step (doubling by default) until deliveries stop draining (with --stop-after-fail: until a step loses or its p99 passes --p99-limit-ms): the deliveries per second sustained with 0 lost and p99 within the limit')
            [CompletionResult]::new('jitter', 'jitter', [CompletionResultType]::ParameterValue, 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back')
            [CompletionResult]::new('avalanche', 'avalanche', [CompletionResultType]::ParameterValue, 'Drop every connection at once (or, with --failure kill, kill the node) while notifications are published: time until all devices are back and caught up')
            [CompletionResult]::new('calibrate', 'calibrate', [CompletionResultType]::ParameterValue, 'Run idle, fanout and throughput against one node and write its profile (memory per connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`')
            [CompletionResult]::new('worker', 'worker', [CompletionResultType]::ParameterValue, 'One worker process of `--workers` (reads its spec and commands on stdin)')
            break
        }
        'rtctl;help;bench;idle' {
            break
        }
        'rtctl;help;bench;fanout' {
            break
        }
        'rtctl;help;bench;throughput' {
            break
        }
        'rtctl;help;bench;jitter' {
            break
        }
        'rtctl;help;bench;avalanche' {
            break
        }
        'rtctl;help;bench;calibrate' {
            break
        }
        'rtctl;help;bench;worker' {
            break
        }
        'rtctl;help;generate' {
            break
        }
        'rtctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
