
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
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
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Measure a node or a gateway with simulated devices: idle memory, fan-out latency, throughput, reconnect jitter and avalanches, counting every lost notification')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages generated from this command line')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;plan' {
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Show the formula behind every number')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;simulate' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('nat', 'nat', [CompletionResultType]::ParameterValue, 'Devices behind NAT: per-node histogram, skew against theory, and what moves when a node is added, removed or marked down')
            [CompletionResult]::new('assign', 'assign', [CompletionResultType]::ParameterValue, 'Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it (JSON Lines with `--output json`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;simulate;nat' {
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
            [CompletionResult]::new('--add', '--add', [CompletionResultType]::ParameterName, 'Also show what moves when this node is added (ADDR:PORT)')
            [CompletionResult]::new('--remove', '--remove', [CompletionResultType]::ParameterName, 'Also show what moves when this node (id or ADDR:PORT) is removed from the config')
            [CompletionResult]::new('--down', '--down', [CompletionResultType]::ParameterName, 'Also show what moves when this node (id or ADDR:PORT) is marked down')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'RNG seed for device ids and their public IPs')
            [CompletionResult]::new('--bar-width', '--bar-width', [CompletionResultType]::ParameterName, 'Width of the bar chart in characters')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;simulate;assign' {
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway algorithm')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'A target, in config order: `ADDR:PORT[,weight=W][,id=N]`. Repeat per target')
            [CompletionResult]::new('--slots', '--slots', [CompletionResultType]::ParameterName, 'Kong slots (10..=65536)')
            [CompletionResult]::new('--down', '--down', [CompletionResultType]::ParameterName, 'A target marked down/unhealthy (kept in the config). Repeatable')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'File of keys, one per line ("-" for stdin)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
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
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--node-id', '--node-id', [CompletionResultType]::ParameterName, 'This node''s id (reported in x-rtctl-node, /health, heartbeats). Default: the listen address')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis URL: the shared log and heartbeats. Without it, one node with an in-memory log')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Require `Authorization: Bearer KEY` on the publish API (required off loopback)')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Seconds to drain on SIGTERM/SIGINT before exiting')
            [CompletionResult]::new('--cors-origin', '--cors-origin', [CompletionResultType]::ParameterName, 'Browser origins allowed to use long-polling (repeat, or comma-separated; `*` for any)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Key namespace in Redis (one per fleet)')
            [CompletionResult]::new('--log-max-len', '--log-max-len', [CompletionResultType]::ParameterName, 'Entries the log keeps (older ones are trimmed); devices away longer get notification:gap')
            [CompletionResult]::new('--log-max-age-secs', '--log-max-age-secs', [CompletionResultType]::ParameterName, 'Seconds the log keeps an entry (0 = no age limit)')
            [CompletionResult]::new('--ping-interval-ms', '--ping-interval-ms', [CompletionResultType]::ParameterName, 'Socket.IO pingInterval in milliseconds')
            [CompletionResult]::new('--ping-timeout-ms', '--ping-timeout-ms', [CompletionResultType]::ParameterName, 'Socket.IO pingTimeout in milliseconds')
            [CompletionResult]::new('--max-queue-frames', '--max-queue-frames', [CompletionResultType]::ParameterName, 'Frames a device''s send queue holds; a device over it is caught up from the log instead')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
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
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the config to FILE instead of stdout (the global --output is the report format)')
            [CompletionResult]::new('--idle-timeout-secs', '--idle-timeout-secs', [CompletionResultType]::ParameterName, 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Config syntax (Kong reads both)')
            [CompletionResult]::new('--upstream', '--upstream', [CompletionResultType]::ParameterName, 'Upstream name, also the service host (a hostname, not an IP)')
            [CompletionResult]::new('--kong-version', '--kong-version', [CompletionResultType]::ParameterName, 'Kong version the config is for (3.x); overrides the fleet''s kong_version')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
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
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the config to FILE instead of stdout (the global --output is the report format)')
            [CompletionResult]::new('--idle-timeout-secs', '--idle-timeout-secs', [CompletionResultType]::ParameterName, 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address the gateway listens on')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
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
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the config to FILE instead of stdout (the global --output is the report format)')
            [CompletionResult]::new('--idle-timeout-secs', '--idle-timeout-secs', [CompletionResultType]::ParameterName, 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address the gateway listens on')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
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
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Drain timeout of every node, seconds (the process manager waits 5 s longer)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the ecosystem file to FILE instead of stdout')
            [CompletionResult]::new('--log-dir', '--log-dir', [CompletionResultType]::ParameterName, 'Directory for the nodes'' log files')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
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
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Drain timeout of every node, seconds (the process manager waits 5 s longer)')
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write `rtctl@.service` and `<node>.env` into DIR instead of printing them')
            [CompletionResult]::new('--env-dir', '--env-dir', [CompletionResultType]::ParameterName, 'Where the environment files live on the hosts')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The service user')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('idle', 'idle', [CompletionResultType]::ParameterValue, 'Connect the devices, hold them, read the node''s memory per connection, then check one broadcast reaches everyone')
            [CompletionResult]::new('fanout', 'fanout', [CompletionResultType]::ParameterValue, 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind')
            [CompletionResult]::new('throughput', 'throughput', [CompletionResultType]::ParameterValue, 'Broadcasts at a rate doubling every step until deliveries stop draining, loss appears or p99 passes --p99-limit-ms: the deliveries per second sustained')
            [CompletionResult]::new('jitter', 'jitter', [CompletionResultType]::ParameterValue, 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back')
            [CompletionResult]::new('avalanche', 'avalanche', [CompletionResultType]::ParameterValue, 'Drop every connection at once while notifications are published: time until all devices are back and caught up')
            [CompletionResult]::new('calibrate', 'calibrate', [CompletionResultType]::ParameterValue, 'Run idle, fanout and throughput against one node and write its profile (memory per connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`')
            [CompletionResult]::new('worker', 'worker', [CompletionResultType]::ParameterValue, 'One worker process of `--workers` (reads its spec and commands on stdin)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rtctl;bench;idle' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
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
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;fanout' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
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
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;throughput' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
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
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;jitter' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
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
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;avalanche' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
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
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;calibrate' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The node or gateway devices connect to (and publishes go to)')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'Where publishes go when not --url (a gateway that only routes Socket.IO)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Bearer key of the publish API')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)')
            [CompletionResult]::new('--departments', '--departments', [CompletionResultType]::ParameterName, 'Departments the devices are spread over (device i in dept-(i mod D))')
            [CompletionResult]::new('--join', '--join', [CompletionResultType]::ParameterName, 'How devices join their department')
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
            [CompletionResult]::new('--p99-limit-ms', '--p99-limit-ms', [CompletionResultType]::ParameterName, 'throughput: a step whose p99 is above this does not count as sustained')
            [CompletionResult]::new('--cut-fraction', '--cut-fraction', [CompletionResultType]::ParameterName, 'jitter: fraction of the connected devices cut each time')
            [CompletionResult]::new('--cut-every', '--cut-every', [CompletionResultType]::ParameterName, 'jitter: seconds between cuts')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;worker' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rtctl;bench;help' {
            [CompletionResult]::new('idle', 'idle', [CompletionResultType]::ParameterValue, 'Connect the devices, hold them, read the node''s memory per connection, then check one broadcast reaches everyone')
            [CompletionResult]::new('fanout', 'fanout', [CompletionResultType]::ParameterValue, 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind')
            [CompletionResult]::new('throughput', 'throughput', [CompletionResultType]::ParameterValue, 'Broadcasts at a rate doubling every step until deliveries stop draining, loss appears or p99 passes --p99-limit-ms: the deliveries per second sustained')
            [CompletionResult]::new('jitter', 'jitter', [CompletionResultType]::ParameterValue, 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back')
            [CompletionResult]::new('avalanche', 'avalanche', [CompletionResultType]::ParameterValue, 'Drop every connection at once while notifications are published: time until all devices are back and caught up')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format: human tables or JSON for scripts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
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
        'rtctl;help;bench' {
            [CompletionResult]::new('idle', 'idle', [CompletionResultType]::ParameterValue, 'Connect the devices, hold them, read the node''s memory per connection, then check one broadcast reaches everyone')
            [CompletionResult]::new('fanout', 'fanout', [CompletionResultType]::ParameterValue, 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind')
            [CompletionResult]::new('throughput', 'throughput', [CompletionResultType]::ParameterValue, 'Broadcasts at a rate doubling every step until deliveries stop draining, loss appears or p99 passes --p99-limit-ms: the deliveries per second sustained')
            [CompletionResult]::new('jitter', 'jitter', [CompletionResultType]::ParameterValue, 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back')
            [CompletionResult]::new('avalanche', 'avalanche', [CompletionResultType]::ParameterValue, 'Drop every connection at once while notifications are published: time until all devices are back and caught up')
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
