#!/usr/bin/env bash
# A throw-away ClickHouse cluster on loopback for the cluster tests: one ZooKeeper and four
# clickhouse-server processes (shards 1-2 x replicas 1-2) from Debian's packages, each on
# free ports, started as the current user.
#
#   clickhouse-cluster.sh start DIR        start everything; prints the four nodes' host:port
#                                          (comma-separated) when every node answers and the
#                                          cluster is listed in system.clusters
#   clickhouse-cluster.sh stop DIR         stop exactly the processes started (PID files)
#   clickhouse-cluster.sh stop-node DIR N  stop one: N is s1r1, s1r2, s2r1, s2r2 or zk
#   clickhouse-cluster.sh start-node DIR N start it again on the same ports and data
#
# DIR/nodes lists "name host:port" per node; the cluster is named cadrestat_cluster (or
# $CADRESTAT_CLUSTER_NAME). Installs clickhouse-server and zookeeper with apt if missing.
set -euo pipefail
cmd=${1:?usage: clickhouse-cluster.sh start|stop|start-node|stop-node DIR [NODE]}
dir=${2:?usage: clickhouse-cluster.sh $cmd DIR}
cluster=${CADRESTAT_CLUSTER_NAME:-cadrestat_cluster}
nodes="s1r1 s1r2 s2r1 s2r2"

say() { echo "clickhouse-cluster: $*" >&2; }

port() { sed -n "s/^$1 //p" "$dir/ports"; }

# stop_one NAME: TERM the recorded process (a clean shutdown closes its ZooKeeper session at
# once), KILL it after 20 s, then forget its PID.
stop_one() {
  local f="$dir/$1/pid" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

wait_port() { # wait_port PORT NAME
  for _ in $(seq 1 300); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  say "$2 did not open port $1; see $dir/$2/log"
  tail -20 "$dir/$2"/log/* >&2 2>/dev/null || true
  return 1
}

start_one() {
  local n=$1
  [ -f "$dir/$n/pid" ] && kill -0 "$(cat "$dir/$n/pid")" 2>/dev/null && return 0
  if [ "$n" = zk ]; then
    # ZooKeeperServerMain: a standalone server, no quorum; 256 MB of heap is plenty here.
    java -Xms64m -Xmx256m -Dzookeeper.log.dir="$dir/zk/log" -Dlog4j.configuration="file:$dir/zk/log4j.properties" \
      -cp "/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar:$(ls /usr/share/java/*.jar | tr '\n' ':')" \
      org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zk/zoo.cfg" >"$dir/zk/log/stdout.log" 2>&1 &
  else
    clickhouse-server --config-file="$dir/$n/config.xml" >"$dir/$n/log/stdout.log" 2>&1 &
  fi
  echo $! >"$dir/$n/pid"
  wait_port "$(port "$n")" "$n"
}

case "$cmd" in
stop)
  [ -d "$dir" ] || exit 0
  for n in $nodes zk; do stop_one "$n"; done
  exit 0 ;;
stop-node) stop_one "${3:?node}"; exit 0 ;;
start-node) start_one "${3:?node}"; exit 0 ;;
start) ;;
*) say "unknown command $cmd"; exit 2 ;;
esac

if ! command -v clickhouse-server >/dev/null || ! command -v clickhouse-client >/dev/null || [ ! -f /usr/share/java/zookeeper.jar ] || ! command -v java >/dev/null; then
  say "installing Debian's clickhouse-server and zookeeper (with a Java runtime)…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clickhouse-server clickhouse-client zookeeper default-jre-headless) >&2
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
if [ ! -f "$dir/ports" ]; then # the same ports on a restart of the same DIR
  : >"$dir/ports"
  for n in zk $nodes; do
    echo "$n $(free_port)" >>"$dir/ports"
    [ "$n" = zk ] || echo "$n-http $(free_port)" >>"$dir/ports"
  done
fi
zkport=$(port zk)

mkdir -p "$dir/zk/data" "$dir/zk/log"
cat >"$dir/zk/zoo.cfg" <<CFG
tickTime=500
initLimit=10
syncLimit=5
dataDir=$dir/zk/data
clientPort=$zkport
clientPortAddress=127.0.0.1
maxClientCnxns=200
admin.enableServer=false
4lw.commands.whitelist=ruok,stat,mntr
minSessionTimeout=1000
maxSessionTimeout=30000
CFG
cat >"$dir/zk/log4j.properties" <<CFG
log4j.rootLogger=WARN, F
log4j.appender.F=org.apache.log4j.FileAppender
log4j.appender.F.File=$dir/zk/log/zookeeper.log
log4j.appender.F.layout=org.apache.log4j.PatternLayout
log4j.appender.F.layout.ConversionPattern=%d %p %c{1}: %m%n
CFG

remote="<$cluster>"
for s in 1 2; do
  remote+="<shard><internal_replication>true</internal_replication>"
  for r in 1 2; do remote+="<replica><host>127.0.0.1</host><port>$(port s${s}r$r)</port></replica>"; done
  remote+="</shard>"
done
remote+="</$cluster>"

for n in $nodes; do
  s=${n:1:1} r=${n:3:1}
  mkdir -p "$dir/$n/data" "$dir/$n/tmp" "$dir/$n/log"
  cat >"$dir/$n/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/$n/log/server.log</log><errorlog>$dir/$n/log/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$(port "$n")</tcp_port>
  <interserver_http_port>$(port "$n-http")</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>$dir/$n/data/</path>
  <tmp_path>$dir/$n/tmp/</tmp_path>
  <users_config>$dir/$n/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <remote_servers>$remote</remote_servers>
  <macros><shard>0$s</shard><replica>r$r</replica></macros>
  <zookeeper>
    <node><host>127.0.0.1</host><port>$zkport</port></node>
    <session_timeout_ms>5000</session_timeout_ms>
    <operation_timeout_ms>3000</operation_timeout_ms>
  </zookeeper>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
XML
  cat >"$dir/$n/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>1000000000</max_memory_usage>
      <background_pool_size>4</background_pool_size>
      <background_schedule_pool_size>4</background_schedule_pool_size>
      <distributed_ddl_task_timeout>60</distributed_ddl_task_timeout>
    </default>
    <readonly><readonly>1</readonly></readonly>
  </profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <reader><password>reader-secret</password><networks><ip>127.0.0.1</ip></networks><profile>readonly</profile><quota>default</quota></reader>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
done

trap 'say "start failed; stopping what was started"; for n in $nodes zk; do stop_one $n; done' ERR
start_one zk
for n in $nodes; do start_one "$n"; done

# Every node answers and sees the cluster: 4 rows in system.clusters and a query through
# ZooKeeper (system.zookeeper) works.
addrs=""
: >"$dir/nodes"
for n in $nodes; do
  p=$(port "$n")
  ok=""
  for _ in $(seq 1 150); do
    if out=$(clickhouse-client --port "$p" --host 127.0.0.1 -q "SELECT count() FROM system.clusters WHERE cluster = '$cluster'" 2>/dev/null) && [ "$out" = 4 ] &&
      clickhouse-client --port "$p" --host 127.0.0.1 -q "SELECT count() FROM system.zookeeper WHERE path = '/'" >/dev/null 2>&1; then
      ok=1; break
    fi
    sleep 0.2
  done
  [ -n "$ok" ] || { say "$n does not list $cluster in system.clusters or cannot reach ZooKeeper; see $dir/$n/log"; false; }
  echo "$n 127.0.0.1:$p" >>"$dir/nodes"
  addrs+="${addrs:+,}127.0.0.1:$p"
done
trap - ERR
echo "$addrs"
