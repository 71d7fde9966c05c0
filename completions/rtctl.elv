
use builtin;
use str;

set edit:completion:arg-completer[rtctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'rtctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'rtctl'= {
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand plan 'Size a fleet: per-node ceiling, load distribution, failure headroom, reconnect storms and the number of nodes needed'
            cand simulate 'Predict where a real gateway sends each device'
            cand serve 'Run a notification node: Socket.IO for devices, the publish API, health and metrics'
            cand render-kong 'Render a Kong 3.x declarative config (YAML or JSON) from the fleet file'
            cand render-nginx 'Render an nginx config (sticky on the device id) from the fleet file'
            cand render-haproxy 'Render an HAProxy config (sticky on the device id) from the fleet file'
            cand render-pm2 'Render a PM2 ecosystem file running one `rtctl serve` per node (fork mode)'
            cand render-systemd 'Render a systemd template unit rtctl@.service and one environment file per node'
            cand top 'Live per-node dashboard of the fleet from the heartbeats in Redis (a snapshot table off a terminal or with --once)'
            cand status 'The fleet''s state for scripts: heartbeats and each node''s /health/ready, as a table or JSON; exit 0 when healthy, 6 when degraded, 4 when Redis is unreachable'
            cand publish 'Send a notification through a node''s (or the gateway''s) publish API; prints the offset'
            cand token 'Signed connection tokens for `rtctl serve --auth jwt`'
            cand devices 'The device registry, through a node''s HTTP API: registered devices, whether and on which node each is connected, and where their public IPs would send them'
            cand bench 'Measure a node or a gateway with simulated devices: idle memory, fan-out latency, throughput, reconnect jitter and avalanches, counting every lost notification'
            cand generate 'Write shell completions and man pages generated from this command line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rtctl;plan'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand -f 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --fleet 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --nodes 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...'
            cand --gateway 'Gateway in front of the nodes'
            cand --algorithm 'Gateway hashing algorithm'
            cand --slots 'Kong upstream slots (10..=65536)'
            cand -n 'Number of devices'
            cand --devices 'Number of devices'
            cand --cpu-cores 'Cores available for deliveries on each node'
            cand --cpu-target 'Fraction of the CPU budget planning may use, in (0, 1]'
            cand --memory 'Host memory, e.g. 16GB or 16GiB'
            cand --reserved-memory 'Memory not available to connections (OS, runtime heap)'
            cand --fd-limit 'Open-file limit of the node process'
            cand --fd-reserve 'Descriptors kept for listeners, Redis, logs and files'
            cand --memory-per-connection 'Memory per connected device, e.g. 30KB'
            cand --cpu-ms-per-delivery 'CPU milliseconds per delivery (one packet to one socket)'
            cand --departments 'Departments the devices are spread over'
            cand --broadcasts-per-minute 'Broadcasts to all devices, fleet-wide, per minute'
            cand --department-messages-per-minute 'Department notifications, fleet-wide, per minute'
            cand --direct-messages-per-minute 'Direct notifications, fleet-wide, per minute'
            cand --ping-interval-secs 'Socket.IO pingInterval in seconds'
            cand --reconnection-delay-ms 'reconnectionDelay in ms'
            cand --reconnection-delay-max-ms 'reconnectionDelayMax in ms'
            cand --randomization-factor 'randomizationFactor, 0..=1'
            cand --reconnection-attempts 'reconnectionAttempts; 0 = unlimited (the client''s default)'
            cand --percentile 'Percentile of the most loaded node that must fit, e.g. 99 or 99.9'
            cand --headroom 'Fraction of each node''s ceiling to keep free at that percentile, in [0, 1)'
            cand --failures 'Node failures the fleet must survive (with the survivors still within their ceiling)'
            cand --outage-secs 'Seconds until a failed node''s devices can connect again (gateway detection or restart). Default per gateway: nginx 0 (next upstream on a refused connect), Kong 15, HAProxy 6 (active health checks)'
            cand --max-nodes 'Largest node count to consider'
            cand --profile 'A node profile measured by `rtctl bench calibrate`: its figures replace the assumed ones (flags still win), and the report says which figures are measured'
            cand --explain 'Show the formula behind every number'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;simulate'= {
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
            cand nat 'Devices behind NAT: per-node histogram, skew against theory, and what moves when a node is added, removed or marked down'
            cand assign 'Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it (JSON Lines with `--output json`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rtctl;simulate;nat'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand -f 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --fleet 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --nodes 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...'
            cand --gateway 'Gateway in front of the nodes'
            cand --algorithm 'Gateway hashing algorithm'
            cand --slots 'Kong upstream slots (10..=65536)'
            cand -n 'Number of devices'
            cand --devices 'Number of devices'
            cand --ids-file 'Read device ids from this file (one per line) instead of generating them'
            cand --public-ips 'Public IPs the devices share (1 = all behind one NAT, the enterprise case)'
            cand --key 'What the gateway hashes on'
            cand --client 'Which socket.io-client the devices run'
            cand --transport 'Engine.IO transports of the clients'
            cand --kong-version 'Kong version, e.g. 3.9 (3.8-3.9 ignore a hash header whose name contains ''-'')'
            cand --add 'Also show what moves when this node is added (ADDR:PORT). --add, --remove and --down apply in the order given, each on top of the ones before it'
            cand --remove 'Also show what moves when this node (id or ADDR:PORT) is removed from the config'
            cand --down 'Also show what moves when this node (id or ADDR:PORT) is marked down'
            cand --seed 'RNG seed for device ids and their public IPs'
            cand --bar-width 'Width of the bar chart in characters'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;simulate;assign'= {
            cand -f 'Fleet file (TOML): its gateway algorithm, slots and nodes (weights, HAProxy ids)'
            cand --fleet 'Fleet file (TOML): its gateway algorithm, slots and nodes (weights, HAProxy ids)'
            cand -o '`table`: `key<TAB>ADDR:PORT` lines; `json`: JSON Lines `{"key":…,"target":…}`'
            cand --output '`table`: `key<TAB>ADDR:PORT` lines; `json`: JSON Lines `{"key":…,"target":…}`'
            cand --gateway 'Gateway algorithm (required without a fleet file)'
            cand --target 'A target, in config order: `ADDR:PORT[,weight=W][,id=N]`. Repeat per target. Replaces the fleet''s nodes (required without a fleet file)'
            cand --slots 'Kong slots (10..=65536). Default: the fleet''s, else 10000'
            cand --down 'A target marked down/unhealthy (kept in the config). Repeatable'
            cand --keys 'File of keys, one per line ("-" for stdin)'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;simulate;help'= {
            cand nat 'Devices behind NAT: per-node histogram, skew against theory, and what moves when a node is added, removed or marked down'
            cand assign 'Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it (JSON Lines with `--output json`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rtctl;simulate;help;nat'= {
        }
        &'rtctl;simulate;help;assign'= {
        }
        &'rtctl;simulate;help;help'= {
        }
        &'rtctl;serve'= {
            cand -f 'Fleet file (TOML): run the node `--node-id` names, with the fleet''s settings'
            cand --fleet 'Fleet file (TOML): run the node `--node-id` names, with the fleet''s settings'
            cand --listen 'Address to listen on. Default: the node''s `listen` or `host:port` in the fleet file, else 127.0.0.1:3000'
            cand --node-id 'This node''s id (reported in x-rtctl-node, /health, heartbeats); required with a fleet file, where it must be one of its nodes. Default without one: the listen address'
            cand --redis 'Redis URL: the shared log and heartbeats. Without it, one node with an in-memory log. `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` (DB: the database index, default 0): a server or any node of a Redis Cluster (comma-separate several cluster nodes), or `redis+sentinel://HOST:PORT,HOST:PORT/MASTER` (a primary found and followed through Redis Sentinel). `rediss://` and `rediss+sentinel://` for TLS (see --redis-ca). Default: the fleet file''s `[redis] url`'
            cand --redis-ca 'CA certificate(s), PEM, that signed the Redis server''s certificate (`rediss://` URLs): trusted instead of the system''s roots'
            cand --api-key 'Require `Authorization: Bearer KEY` on the publish API (required off loopback)'
            cand --api-keys 'Named API keys with scopes, a TOML file of `[[key]] name, secret (or sha256), scope = "publish" | "read"`. Re-read when it changes (and on SIGHUP): removing an entry revokes the key without a restart. With it, `/metrics` and `/health` need a key too (any scope); `/health/live` and `/health/ready` never do. `--api-key` adds a key named `default`'
            cand --drain-timeout 'Seconds to drain on SIGTERM/SIGINT before exiting. Default: the fleet''s `[serve] drain_timeout_secs`, else 10'
            cand --cors-origin 'Browser origins allowed to use long-polling (repeat, or comma-separated; `*` for any)'
            cand --namespace 'Key namespace in Redis (one per fleet). Default: the fleet''s `[redis] namespace`, else "default"'
            cand --log-max-len 'Entries the log keeps (older ones are trimmed); devices away longer get notification:gap. Default: the fleet''s `[serve] log_max_len`, else 100000'
            cand --log-max-age-secs 'Seconds the log keeps an entry (0 = no age limit). Default: the fleet''s `[serve] log_max_age_secs`, else 86400'
            cand --ping-interval-ms 'Socket.IO pingInterval in milliseconds'
            cand --ping-timeout-ms 'Socket.IO pingTimeout in milliseconds'
            cand --max-queue-frames 'Frames a device''s send queue holds; a device over it is caught up from the log instead'
            cand --max-connections 'Open connections served (default: the open-file limit minus 512, which leaves room for the reserved connections, Redis and files)'
            cand --reserved-connections 'Connections beyond --max-connections kept for health checks, metrics and the API (one request each; Socket.IO gets 503 there)'
            cand --header-timeout-secs 'Seconds a client has to send a request head'
            cand --max-header-bytes 'Largest request head (request line and headers) in bytes; larger ones get 431'
            cand --body-timeout-secs 'Seconds a client has to send a request body, once its head has arrived'
            cand --max-unfinished-per-ip 'Requests with a body still arriving, per client IP (429 beyond)'
            cand --max-handshakes-per-ip 'Engine.IO sessions per client IP not yet connected to a namespace (429 beyond)'
            cand --trusted-proxy 'Gateway (IP or CIDR) whose X-Forwarded-For names the client, for the per-IP limits and the client-IP figures in heartbeats (`rtctl top`''s NAT-trap alert); repeat, or comma-separate. Other peers are the client themselves'
            cand --auth 'Device authentication: `none` (any client may claim any device id; development only, logged loudly) or `jwt` (every CONNECT carries `auth.token` from `rtctl token issue`)'
            cand --key-file 'Token keys for `--auth jwt`: one per line, all accepted (two during a rotation)'
            cand --data-dir 'Keep the device registry (POST /api/v1/devices/register) on disk in DIR when the node runs without --redis (with --redis it is in Redis). Without either, registration answers 503'
            cand --durability 'When a publish is acknowledged (202). Every node of a fleet must use the same mode'
            cand --replicas 'Replicas that must confirm a publish with --durability replicated or replicated-aof'
            cand --replica-timeout-ms 'How long a publish waits for its replicas before it is refused with 503'
            cand --idempotency-ttl-secs 'How long an Idempotency-Key is remembered: a publish retried with the same key within it returns the first id and is delivered once'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;render-kong'= {
            cand -f 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --fleet 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --nodes 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...'
            cand --gateway 'Gateway in front of the nodes'
            cand --algorithm 'Gateway hashing algorithm'
            cand --slots 'Kong upstream slots (10..=65536)'
            cand -n 'Number of devices'
            cand --devices 'Number of devices'
            cand --out 'Write the config to FILE instead of stdout'
            cand --idle-timeout-secs 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout'
            cand --format 'Config syntax (Kong reads both)'
            cand --upstream 'Upstream name, also the service host (a hostname, not an IP)'
            cand --kong-version 'Kong version the config is for (3.x); overrides the fleet''s kong_version'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;render-nginx'= {
            cand -f 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --fleet 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --nodes 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...'
            cand --gateway 'Gateway in front of the nodes'
            cand --algorithm 'Gateway hashing algorithm'
            cand --slots 'Kong upstream slots (10..=65536)'
            cand -n 'Number of devices'
            cand --devices 'Number of devices'
            cand --out 'Write the config to FILE instead of stdout'
            cand --idle-timeout-secs 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout'
            cand --listen 'Address the gateway listens on'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;render-haproxy'= {
            cand -f 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --fleet 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --nodes 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...'
            cand --gateway 'Gateway in front of the nodes'
            cand --algorithm 'Gateway hashing algorithm'
            cand --slots 'Kong upstream slots (10..=65536)'
            cand -n 'Number of devices'
            cand --devices 'Number of devices'
            cand --out 'Write the config to FILE instead of stdout'
            cand --idle-timeout-secs 'Idle timeout of proxied WebSocket and polling connections, in seconds; must be above pingInterval + pingTimeout'
            cand --listen 'Address the gateway listens on'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;render-pm2'= {
            cand -f 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --fleet 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --nodes 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...'
            cand --gateway 'Gateway in front of the nodes'
            cand --algorithm 'Gateway hashing algorithm'
            cand --slots 'Kong upstream slots (10..=65536)'
            cand -n 'Number of devices'
            cand --devices 'Number of devices'
            cand --binary 'Absolute path of the rtctl binary on the hosts'
            cand --fleet-path 'Where the fleet file is on the hosts: each node runs `rtctl serve -f PATH --node-id ID`. Default: the absolute path of the -f file, else /etc/rtctl/fleet.toml'
            cand --drain-timeout 'Drain timeout of every node, seconds, overriding the fleet''s `[serve] drain_timeout_secs` (the process manager waits 5 s longer)'
            cand --data-dir 'Parent of the node''s device-registry directory: a single-node fleet without [redis] runs `rtctl serve ... --data-dir DIR/<node-id>` (systemd makes it a StateDirectory under /var/lib). Not passed with Redis (the registry is in Redis) or to several nodes without it (they would keep separate registries)'
            cand --out 'Write the ecosystem file to FILE instead of stdout'
            cand --log-dir 'Directory for the nodes'' log files'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;render-systemd'= {
            cand -f 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --fleet 'Fleet file (TOML); see fixtures/fleet.toml. Without it the guide''s 3-node Kong fleet is assumed and flags describe the rest'
            cand --nodes 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...'
            cand --gateway 'Gateway in front of the nodes'
            cand --algorithm 'Gateway hashing algorithm'
            cand --slots 'Kong upstream slots (10..=65536)'
            cand -n 'Number of devices'
            cand --devices 'Number of devices'
            cand --binary 'Absolute path of the rtctl binary on the hosts'
            cand --fleet-path 'Where the fleet file is on the hosts: each node runs `rtctl serve -f PATH --node-id ID`. Default: the absolute path of the -f file, else /etc/rtctl/fleet.toml'
            cand --drain-timeout 'Drain timeout of every node, seconds, overriding the fleet''s `[serve] drain_timeout_secs` (the process manager waits 5 s longer)'
            cand --data-dir 'Parent of the node''s device-registry directory: a single-node fleet without [redis] runs `rtctl serve ... --data-dir DIR/<node-id>` (systemd makes it a StateDirectory under /var/lib). Not passed with Redis (the registry is in Redis) or to several nodes without it (they would keep separate registries)'
            cand --out-dir 'Write `rtctl@.service` and `<node>.env` into DIR instead of printing them'
            cand --env-dir 'Where the environment files live on the hosts'
            cand --user 'The service user'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;top'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --redis 'Redis URL the nodes write heartbeats to (a cluster: any node, or several comma-separated). Default: the fleet file''s `[redis] url`'
            cand --redis-ca 'CA certificate(s), PEM, that signed the Redis server''s certificate (`rediss://` URLs): trusted instead of the system''s roots'
            cand -f 'Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted shares) and the profile (`plan`''s per-node ceiling)'
            cand --fleet 'Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted shares) and the profile (`plan`''s per-node ceiling)'
            cand --namespace 'The fleet''s namespace (as given to `serve --namespace`)'
            cand --interval 'Seconds between refreshes (one Redis round trip each)'
            cand --once 'Print one snapshot table and exit (also what happens off a terminal)'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;status'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --redis 'Redis URL the nodes write heartbeats to (a cluster: any node, or several comma-separated). Default: the fleet file''s `[redis] url`'
            cand --redis-ca 'CA certificate(s), PEM, that signed the Redis server''s certificate (`rediss://` URLs): trusted instead of the system''s roots'
            cand -f 'Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted shares) and the profile (`plan`''s per-node ceiling)'
            cand --fleet 'Fleet file: the nodes expected (missing / unexpected), the gateway model (predicted shares) and the profile (`plan`''s per-node ceiling)'
            cand --namespace 'The fleet''s namespace (as given to `serve --namespace`)'
            cand --timeout 'Seconds to wait for each node''s /health/ready'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;publish'= {
            cand -o 'Output format: the offset as text, or JSON for scripts'
            cand --output 'Output format: the offset as text, or JSON for scripts'
            cand --url 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes'
            cand --api-key 'The node''s API key, sent as `Authorization: Bearer <key>`'
            cand --timeout 'Seconds to wait for the answer'
            cand --department 'Send to every device of this department'
            cand --device 'Send to one device'
            cand --payload 'The notification, as JSON (default `{}`)'
            cand --payload-file 'Read the notification (JSON) from a file ("-" for stdin)'
            cand --count 'Send the notification this many times (a smoke load; progress bar on a terminal)'
            cand --rate 'At most this many requests per second with --count (0: as fast as the node answers)'
            cand --all 'Send to every device'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;token'= {
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
            cand issue 'Print an HS256 token naming a device, the departments it may join and its user; the device sends it as `auth.token`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rtctl;token;issue'= {
            cand --device 'The device id the token proves'
            cand --department 'A department the device may join (repeat for several)'
            cand --user 'The user id'
            cand --ttl 'Lifetime: 30d, 12h, 15m, 90s or seconds'
            cand --key-file 'Key file: one key per line (at least 32 bytes); the first signs'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;token;help'= {
            cand issue 'Print an HS256 token naming a device, the departments it may join and its user; the device sends it as `auth.token`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rtctl;token;help;issue'= {
        }
        &'rtctl;token;help;help'= {
        }
        &'rtctl;devices'= {
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'Registered devices (GET /api/v1/devices), with whether and on which node each is connected now'
            cand show 'One registered device (GET /api/v1/devices/ID)'
            cand remove 'Decommission a device: remove its record from the registry (DELETE /api/v1/devices/ID; needs a publish-scope API key). A device still connected stays connected; registering again records it anew'
            cand nat-report 'Devices per public IP (their last_ip_address), and how the fleet''s gateway would spread them when hashing on the client IP compared with hashing on the device id'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rtctl;devices;list'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --url 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes'
            cand --api-key 'The node''s API key, sent as `Authorization: Bearer <key>`'
            cand --timeout 'Seconds to wait for the answer'
            cand --department 'Only this department''s devices'
            cand --online 'Only devices connected now'
            cand --offline 'Only devices not connected now'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;devices;show'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --url 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes'
            cand --api-key 'The node''s API key, sent as `Authorization: Bearer <key>`'
            cand --timeout 'Seconds to wait for the answer'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;devices;remove'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --url 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes'
            cand --api-key 'The node''s API key, sent as `Authorization: Bearer <key>`'
            cand --timeout 'Seconds to wait for the answer'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;devices;nat-report'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --url 'Base URL of a node (with Redis, any node answers for the whole fleet) or of the gateway in front of the nodes'
            cand --api-key 'The node''s API key, sent as `Authorization: Bearer <key>`'
            cand --timeout 'Seconds to wait for the answer'
            cand -f 'Fleet file (TOML): its nodes and gateway. Without it the guide''s 3-node Kong fleet'
            cand --fleet 'Fleet file (TOML): its nodes and gateway. Without it the guide''s 3-node Kong fleet'
            cand --nodes 'Replace the fleet''s nodes with N nodes node-1..node-N at 10.0.0.1:3000, 10.0.0.2:3000, ...'
            cand --gateway 'Gateway in front of the nodes'
            cand --department 'Only this department''s devices'
            cand --top 'Public IPs listed in the table (the largest); JSON lists them all'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;devices;help'= {
            cand list 'Registered devices (GET /api/v1/devices), with whether and on which node each is connected now'
            cand show 'One registered device (GET /api/v1/devices/ID)'
            cand remove 'Decommission a device: remove its record from the registry (DELETE /api/v1/devices/ID; needs a publish-scope API key). A device still connected stays connected; registering again records it anew'
            cand nat-report 'Devices per public IP (their last_ip_address), and how the fleet''s gateway would spread them when hashing on the client IP compared with hashing on the device id'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rtctl;devices;help;list'= {
        }
        &'rtctl;devices;help;show'= {
        }
        &'rtctl;devices;help;remove'= {
        }
        &'rtctl;devices;help;nat-report'= {
        }
        &'rtctl;devices;help;help'= {
        }
        &'rtctl;bench'= {
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
            cand idle 'Connect the devices, hold them, read the node''s memory per connection, then check one broadcast reaches everyone'
            cand fanout 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind'
            cand throughput 'Broadcasts at a rate growing by --rate-factor every step (doubling by default) until deliveries stop draining (with --stop-after-fail: until a step loses or its p99 passes --p99-limit-ms): the deliveries per second sustained with 0 lost and p99 within the limit'
            cand jitter 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back'
            cand avalanche 'Drop every connection at once (or, with --failure kill, kill the node) while notifications are published: time until all devices are back and caught up'
            cand calibrate 'Run idle, fanout and throughput against one node and write its profile (memory per connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`'
            cand worker 'One worker process of `--workers` (reads its spec and commands on stdin)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rtctl;bench;idle'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --url 'The node or gateway devices connect to (and publishes go to)'
            cand --also-url 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine'
            cand --publish-url 'Where publishes go when not --url (a gateway that only routes Socket.IO)'
            cand --api-key 'Bearer key of the publish API'
            cand -n 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --devices 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --departments 'Departments the devices are spread over (device i in dept-(i mod D))'
            cand --join 'How devices join their department'
            cand --transport 'How devices talk to the node'
            cand --seed 'Seed of the device ids'
            cand --workers 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)'
            cand --src-ip 'Source addresses to connect from (split over the workers)'
            cand --connect-concurrency 'Handshakes in flight at once'
            cand --connect-timeout 'Bound of the connect phase, seconds'
            cand --hold 'idle: seconds to hold the connections'
            cand --rounds 'fanout: rounds of (broadcast, department, device)'
            cand --rate 'Publishes per second (throughput: the first step''s rate)'
            cand --duration 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)'
            cand --steps 'throughput: at most this many steps'
            cand --rate-factor 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)'
            cand --p99-limit-ms 'throughput: a step whose p99 is above this does not count as sustained'
            cand --cut-fraction 'jitter: fraction of the connected devices cut each time'
            cand --cut-every 'jitter: seconds between cuts'
            cand --failure 'avalanche: how every device is taken away at once'
            cand --restart-cmd 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)'
            cand --reconnect-delay-ms 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)'
            cand --reconnect-delay-max-ms 'socket.io-client''s reconnectionDelayMax (ms)'
            cand --settle 'Longest wait for deliveries (and reconnections) to complete, seconds'
            cand --payload-bytes 'Approximate notification payload size in bytes'
            cand --publish-concurrency 'Publish requests in flight at once'
            cand --server-pid 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)'
            cand --redis 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end'
            cand --namespace 'Key namespace of the fleet in Redis'
            cand --chart 'Write an SVG chart of latency percentiles and connections over time'
            cand --fleet 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band'
            cand --stop-after-fail 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;bench;fanout'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --url 'The node or gateway devices connect to (and publishes go to)'
            cand --also-url 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine'
            cand --publish-url 'Where publishes go when not --url (a gateway that only routes Socket.IO)'
            cand --api-key 'Bearer key of the publish API'
            cand -n 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --devices 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --departments 'Departments the devices are spread over (device i in dept-(i mod D))'
            cand --join 'How devices join their department'
            cand --transport 'How devices talk to the node'
            cand --seed 'Seed of the device ids'
            cand --workers 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)'
            cand --src-ip 'Source addresses to connect from (split over the workers)'
            cand --connect-concurrency 'Handshakes in flight at once'
            cand --connect-timeout 'Bound of the connect phase, seconds'
            cand --hold 'idle: seconds to hold the connections'
            cand --rounds 'fanout: rounds of (broadcast, department, device)'
            cand --rate 'Publishes per second (throughput: the first step''s rate)'
            cand --duration 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)'
            cand --steps 'throughput: at most this many steps'
            cand --rate-factor 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)'
            cand --p99-limit-ms 'throughput: a step whose p99 is above this does not count as sustained'
            cand --cut-fraction 'jitter: fraction of the connected devices cut each time'
            cand --cut-every 'jitter: seconds between cuts'
            cand --failure 'avalanche: how every device is taken away at once'
            cand --restart-cmd 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)'
            cand --reconnect-delay-ms 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)'
            cand --reconnect-delay-max-ms 'socket.io-client''s reconnectionDelayMax (ms)'
            cand --settle 'Longest wait for deliveries (and reconnections) to complete, seconds'
            cand --payload-bytes 'Approximate notification payload size in bytes'
            cand --publish-concurrency 'Publish requests in flight at once'
            cand --server-pid 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)'
            cand --redis 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end'
            cand --namespace 'Key namespace of the fleet in Redis'
            cand --chart 'Write an SVG chart of latency percentiles and connections over time'
            cand --fleet 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band'
            cand --stop-after-fail 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;bench;throughput'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --url 'The node or gateway devices connect to (and publishes go to)'
            cand --also-url 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine'
            cand --publish-url 'Where publishes go when not --url (a gateway that only routes Socket.IO)'
            cand --api-key 'Bearer key of the publish API'
            cand -n 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --devices 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --departments 'Departments the devices are spread over (device i in dept-(i mod D))'
            cand --join 'How devices join their department'
            cand --transport 'How devices talk to the node'
            cand --seed 'Seed of the device ids'
            cand --workers 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)'
            cand --src-ip 'Source addresses to connect from (split over the workers)'
            cand --connect-concurrency 'Handshakes in flight at once'
            cand --connect-timeout 'Bound of the connect phase, seconds'
            cand --hold 'idle: seconds to hold the connections'
            cand --rounds 'fanout: rounds of (broadcast, department, device)'
            cand --rate 'Publishes per second (throughput: the first step''s rate)'
            cand --duration 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)'
            cand --steps 'throughput: at most this many steps'
            cand --rate-factor 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)'
            cand --p99-limit-ms 'throughput: a step whose p99 is above this does not count as sustained'
            cand --cut-fraction 'jitter: fraction of the connected devices cut each time'
            cand --cut-every 'jitter: seconds between cuts'
            cand --failure 'avalanche: how every device is taken away at once'
            cand --restart-cmd 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)'
            cand --reconnect-delay-ms 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)'
            cand --reconnect-delay-max-ms 'socket.io-client''s reconnectionDelayMax (ms)'
            cand --settle 'Longest wait for deliveries (and reconnections) to complete, seconds'
            cand --payload-bytes 'Approximate notification payload size in bytes'
            cand --publish-concurrency 'Publish requests in flight at once'
            cand --server-pid 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)'
            cand --redis 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end'
            cand --namespace 'Key namespace of the fleet in Redis'
            cand --chart 'Write an SVG chart of latency percentiles and connections over time'
            cand --fleet 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band'
            cand --stop-after-fail 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;bench;jitter'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --url 'The node or gateway devices connect to (and publishes go to)'
            cand --also-url 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine'
            cand --publish-url 'Where publishes go when not --url (a gateway that only routes Socket.IO)'
            cand --api-key 'Bearer key of the publish API'
            cand -n 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --devices 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --departments 'Departments the devices are spread over (device i in dept-(i mod D))'
            cand --join 'How devices join their department'
            cand --transport 'How devices talk to the node'
            cand --seed 'Seed of the device ids'
            cand --workers 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)'
            cand --src-ip 'Source addresses to connect from (split over the workers)'
            cand --connect-concurrency 'Handshakes in flight at once'
            cand --connect-timeout 'Bound of the connect phase, seconds'
            cand --hold 'idle: seconds to hold the connections'
            cand --rounds 'fanout: rounds of (broadcast, department, device)'
            cand --rate 'Publishes per second (throughput: the first step''s rate)'
            cand --duration 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)'
            cand --steps 'throughput: at most this many steps'
            cand --rate-factor 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)'
            cand --p99-limit-ms 'throughput: a step whose p99 is above this does not count as sustained'
            cand --cut-fraction 'jitter: fraction of the connected devices cut each time'
            cand --cut-every 'jitter: seconds between cuts'
            cand --failure 'avalanche: how every device is taken away at once'
            cand --restart-cmd 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)'
            cand --reconnect-delay-ms 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)'
            cand --reconnect-delay-max-ms 'socket.io-client''s reconnectionDelayMax (ms)'
            cand --settle 'Longest wait for deliveries (and reconnections) to complete, seconds'
            cand --payload-bytes 'Approximate notification payload size in bytes'
            cand --publish-concurrency 'Publish requests in flight at once'
            cand --server-pid 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)'
            cand --redis 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end'
            cand --namespace 'Key namespace of the fleet in Redis'
            cand --chart 'Write an SVG chart of latency percentiles and connections over time'
            cand --fleet 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band'
            cand --stop-after-fail 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;bench;avalanche'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --url 'The node or gateway devices connect to (and publishes go to)'
            cand --also-url 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine'
            cand --publish-url 'Where publishes go when not --url (a gateway that only routes Socket.IO)'
            cand --api-key 'Bearer key of the publish API'
            cand -n 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --devices 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --departments 'Departments the devices are spread over (device i in dept-(i mod D))'
            cand --join 'How devices join their department'
            cand --transport 'How devices talk to the node'
            cand --seed 'Seed of the device ids'
            cand --workers 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)'
            cand --src-ip 'Source addresses to connect from (split over the workers)'
            cand --connect-concurrency 'Handshakes in flight at once'
            cand --connect-timeout 'Bound of the connect phase, seconds'
            cand --hold 'idle: seconds to hold the connections'
            cand --rounds 'fanout: rounds of (broadcast, department, device)'
            cand --rate 'Publishes per second (throughput: the first step''s rate)'
            cand --duration 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)'
            cand --steps 'throughput: at most this many steps'
            cand --rate-factor 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)'
            cand --p99-limit-ms 'throughput: a step whose p99 is above this does not count as sustained'
            cand --cut-fraction 'jitter: fraction of the connected devices cut each time'
            cand --cut-every 'jitter: seconds between cuts'
            cand --failure 'avalanche: how every device is taken away at once'
            cand --restart-cmd 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)'
            cand --reconnect-delay-ms 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)'
            cand --reconnect-delay-max-ms 'socket.io-client''s reconnectionDelayMax (ms)'
            cand --settle 'Longest wait for deliveries (and reconnections) to complete, seconds'
            cand --payload-bytes 'Approximate notification payload size in bytes'
            cand --publish-concurrency 'Publish requests in flight at once'
            cand --server-pid 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)'
            cand --redis 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end'
            cand --namespace 'Key namespace of the fleet in Redis'
            cand --chart 'Write an SVG chart of latency percentiles and connections over time'
            cand --fleet 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band'
            cand --stop-after-fail 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;bench;calibrate'= {
            cand -o 'Report format: human tables or JSON for scripts'
            cand --output 'Report format: human tables or JSON for scripts'
            cand --color 'Colour in tables: auto (only on a terminal, and never when NO_COLOR is set), always or never'
            cand --url 'The node or gateway devices connect to (and publishes go to)'
            cand --also-url 'More nodes of the fleet: devices are spread round robin over --url and these (device i on node i mod k); publishes still go to --url (or --publish-url). Memory and CPU are the nodes'' sum when they run on this machine'
            cand --publish-url 'Where publishes go when not --url (a gateway that only routes Socket.IO)'
            cand --api-key 'Bearer key of the publish API'
            cand -n 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --devices 'Simulated devices (ids in the guide''s `<type>_<8 hex>` format)'
            cand --departments 'Departments the devices are spread over (device i in dept-(i mod D))'
            cand --join 'How devices join their department'
            cand --transport 'How devices talk to the node'
            cand --seed 'Seed of the device ids'
            cand --workers 'Processes holding the devices (each ~19k at most under a 20,000 open-file limit); on loopback each gets its own source address 127.0.0.(10+k)'
            cand --src-ip 'Source addresses to connect from (split over the workers)'
            cand --connect-concurrency 'Handshakes in flight at once'
            cand --connect-timeout 'Bound of the connect phase, seconds'
            cand --hold 'idle: seconds to hold the connections'
            cand --rounds 'fanout: rounds of (broadcast, department, device)'
            cand --rate 'Publishes per second (throughput: the first step''s rate)'
            cand --duration 'Seconds of publishing (per throughput step; jitter''s length; avalanche: rate × this many publishes while the devices are away)'
            cand --steps 'throughput: at most this many steps'
            cand --rate-factor 'throughput: each step''s rate is the previous one''s times this (> 1; e.g. 1.41 for finer steps than doubling)'
            cand --p99-limit-ms 'throughput: a step whose p99 is above this does not count as sustained'
            cand --cut-fraction 'jitter: fraction of the connected devices cut each time'
            cand --cut-every 'jitter: seconds between cuts'
            cand --failure 'avalanche: how every device is taken away at once'
            cand --restart-cmd 'avalanche with --failure kill: shell command (sh -c) that starts the node again, run right after the kill, detached, its output discarded (redirect it in the command)'
            cand --reconnect-delay-ms 'socket.io-client''s reconnectionDelay (ms; randomized ±50%, doubling per attempt)'
            cand --reconnect-delay-max-ms 'socket.io-client''s reconnectionDelayMax (ms)'
            cand --settle 'Longest wait for deliveries (and reconnections) to complete, seconds'
            cand --payload-bytes 'Approximate notification payload size in bytes'
            cand --publish-concurrency 'Publish requests in flight at once'
            cand --server-pid 'The node''s pid, for its CPU time and memory (default: the local process listening on --url''s port, if any)'
            cand --redis 'Redis of the fleet (as given to `rtctl serve --redis`): also read devices per node from the nodes'' heartbeats at the end'
            cand --namespace 'Key namespace of the fleet in Redis'
            cand --chart 'Write an SVG chart of latency percentiles and connections over time'
            cand --fleet 'Against a gateway: a fleet file describing it, to compare devices per node with what `simulate` predicts for the same ids and with plan''s p99 band'
            cand --out 'Where to write the node profile (TOML)'
            cand --stop-after-fail 'throughput: end the ramp at the first step that is not sustained (any loss, or p99 above --p99-limit-ms), not only once deliveries stop draining'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rtctl;bench;worker'= {
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rtctl;bench;help'= {
            cand idle 'Connect the devices, hold them, read the node''s memory per connection, then check one broadcast reaches everyone'
            cand fanout 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind'
            cand throughput 'Broadcasts at a rate growing by --rate-factor every step (doubling by default) until deliveries stop draining (with --stop-after-fail: until a step loses or its p99 passes --p99-limit-ms): the deliveries per second sustained with 0 lost and p99 within the limit'
            cand jitter 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back'
            cand avalanche 'Drop every connection at once (or, with --failure kill, kill the node) while notifications are published: time until all devices are back and caught up'
            cand calibrate 'Run idle, fanout and throughput against one node and write its profile (memory per connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`'
            cand worker 'One worker process of `--workers` (reads its spec and commands on stdin)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rtctl;bench;help;idle'= {
        }
        &'rtctl;bench;help;fanout'= {
        }
        &'rtctl;bench;help;throughput'= {
        }
        &'rtctl;bench;help;jitter'= {
        }
        &'rtctl;bench;help;avalanche'= {
        }
        &'rtctl;bench;help;calibrate'= {
        }
        &'rtctl;bench;help;worker'= {
        }
        &'rtctl;bench;help;help'= {
        }
        &'rtctl;generate'= {
            cand --out-dir 'Directory that receives completions/ and man/'
            cand -v 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand --verbose 'More log detail on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rtctl;help'= {
            cand plan 'Size a fleet: per-node ceiling, load distribution, failure headroom, reconnect storms and the number of nodes needed'
            cand simulate 'Predict where a real gateway sends each device'
            cand serve 'Run a notification node: Socket.IO for devices, the publish API, health and metrics'
            cand render-kong 'Render a Kong 3.x declarative config (YAML or JSON) from the fleet file'
            cand render-nginx 'Render an nginx config (sticky on the device id) from the fleet file'
            cand render-haproxy 'Render an HAProxy config (sticky on the device id) from the fleet file'
            cand render-pm2 'Render a PM2 ecosystem file running one `rtctl serve` per node (fork mode)'
            cand render-systemd 'Render a systemd template unit rtctl@.service and one environment file per node'
            cand top 'Live per-node dashboard of the fleet from the heartbeats in Redis (a snapshot table off a terminal or with --once)'
            cand status 'The fleet''s state for scripts: heartbeats and each node''s /health/ready, as a table or JSON; exit 0 when healthy, 6 when degraded, 4 when Redis is unreachable'
            cand publish 'Send a notification through a node''s (or the gateway''s) publish API; prints the offset'
            cand token 'Signed connection tokens for `rtctl serve --auth jwt`'
            cand devices 'The device registry, through a node''s HTTP API: registered devices, whether and on which node each is connected, and where their public IPs would send them'
            cand bench 'Measure a node or a gateway with simulated devices: idle memory, fan-out latency, throughput, reconnect jitter and avalanches, counting every lost notification'
            cand generate 'Write shell completions and man pages generated from this command line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rtctl;help;plan'= {
        }
        &'rtctl;help;simulate'= {
            cand nat 'Devices behind NAT: per-node histogram, skew against theory, and what moves when a node is added, removed or marked down'
            cand assign 'Print `key<TAB>ADDR:PORT` for each key of a file, exactly as the gateway routes it (JSON Lines with `--output json`)'
        }
        &'rtctl;help;simulate;nat'= {
        }
        &'rtctl;help;simulate;assign'= {
        }
        &'rtctl;help;serve'= {
        }
        &'rtctl;help;render-kong'= {
        }
        &'rtctl;help;render-nginx'= {
        }
        &'rtctl;help;render-haproxy'= {
        }
        &'rtctl;help;render-pm2'= {
        }
        &'rtctl;help;render-systemd'= {
        }
        &'rtctl;help;top'= {
        }
        &'rtctl;help;status'= {
        }
        &'rtctl;help;publish'= {
        }
        &'rtctl;help;token'= {
            cand issue 'Print an HS256 token naming a device, the departments it may join and its user; the device sends it as `auth.token`'
        }
        &'rtctl;help;token;issue'= {
        }
        &'rtctl;help;devices'= {
            cand list 'Registered devices (GET /api/v1/devices), with whether and on which node each is connected now'
            cand show 'One registered device (GET /api/v1/devices/ID)'
            cand remove 'Decommission a device: remove its record from the registry (DELETE /api/v1/devices/ID; needs a publish-scope API key). A device still connected stays connected; registering again records it anew'
            cand nat-report 'Devices per public IP (their last_ip_address), and how the fleet''s gateway would spread them when hashing on the client IP compared with hashing on the device id'
        }
        &'rtctl;help;devices;list'= {
        }
        &'rtctl;help;devices;show'= {
        }
        &'rtctl;help;devices;remove'= {
        }
        &'rtctl;help;devices;nat-report'= {
        }
        &'rtctl;help;bench'= {
            cand idle 'Connect the devices, hold them, read the node''s memory per connection, then check one broadcast reaches everyone'
            cand fanout 'Rounds of one broadcast, one department notification and one direct notification: p50 / p99 / time to the last receiver per kind'
            cand throughput 'Broadcasts at a rate growing by --rate-factor every step (doubling by default) until deliveries stop draining (with --stop-after-fail: until a step loses or its p99 passes --p99-limit-ms): the deliveries per second sustained with 0 lost and p99 within the limit'
            cand jitter 'Notifications while a fraction of the connections is cut again and again: delivered ÷ expected once everyone is back'
            cand avalanche 'Drop every connection at once (or, with --failure kill, kill the node) while notifications are published: time until all devices are back and caught up'
            cand calibrate 'Run idle, fanout and throughput against one node and write its profile (memory per connection, deliveries/s per core, CPU per delivery, handshakes/s) for `plan --profile`'
            cand worker 'One worker process of `--workers` (reads its spec and commands on stdin)'
        }
        &'rtctl;help;bench;idle'= {
        }
        &'rtctl;help;bench;fanout'= {
        }
        &'rtctl;help;bench;throughput'= {
        }
        &'rtctl;help;bench;jitter'= {
        }
        &'rtctl;help;bench;avalanche'= {
        }
        &'rtctl;help;bench;calibrate'= {
        }
        &'rtctl;help;bench;worker'= {
        }
        &'rtctl;help;generate'= {
        }
        &'rtctl;help;help'= {
        }
    ]
    $completions[$command]
}
