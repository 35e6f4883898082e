#!/usr/bin/env bash
# Starts a throw-away ClickHouse server from Debian's package on a free loopback port, for
# the server-engine tests. Prints "host:port" on stdout; "stop DIR" stops it.
# Installs the package with apt if missing (CI machines start without it).
set -euo pipefail
if [ "${1:-}" = "stop" ]; then
  [ -f "$2/pid" ] && kill "$(cat "$2/pid")" 2>/dev/null || true
  exit 0
fi
if ! command -v clickhouse-server >/dev/null; then
  echo "installing Debian's clickhouse-server…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clickhouse-server) >&2
fi
dir=${1:?usage: clickhouse-test-server.sh DIR}
mkdir -p "$dir/data" "$dir/tmp" "$dir/log"
port=${CADRESTAT_CH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
cat > "$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$port</tcp_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
XML
cat > "$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default><readonly><readonly>1</readonly></readonly></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <reader><password>reader-secret</password><networks><ip>127.0.0.1</ip></networks><profile>readonly</profile><quota>default</quota></reader>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
clickhouse-server --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 &
echo $! > "$dir/pid"
for _ in $(seq 1 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "127.0.0.1:$port"; exit 0; fi
  sleep 0.2
done
echo "ClickHouse test server did not start; see $dir/log" >&2
tail -20 "$dir/log/stdout.log" "$dir/log/error.log" >&2 || true
exit 1
