// Load generator for bench/server.ts, run by Node as a process of its own (so that it does not
// share the server's event loop): autocannon against one URL, the result as one JSON line.
// A URL holding `{lo}` gets a random integer in [0, 9980) per request (the range lookup).
// Usage: node bench/server_load.mjs URL CONNECTIONS SECONDS
import autocannon from "autocannon";

const [url, connections, seconds] = process.argv.slice(2);
const parsed = new URL(url.replace("{lo}", "0"));
const template = url.includes("{lo}") ? parsed.pathname + parsed.search.replace("lo=0", "lo={lo}") : undefined;
const result = await autocannon({
  url: parsed.origin,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [
    template
      ? {
        method: "GET",
        setupRequest: (req) => ({ ...req, path: template.replace("{lo}", String(Math.floor(Math.random() * 9980))) }),
      }
      : { method: "GET", path: parsed.pathname + parsed.search },
  ],
});
console.log(JSON.stringify({
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.errors + result.timeouts + result.non2xx,
  total: result.requests.total,
}));
