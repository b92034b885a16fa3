// The bench's load: signed /can-i-use requests to one server on 127.0.0.1, from a process of its own.
// `node bench/load.mjs '<json>'` prints one JSON line of figures. The config:
//   url, secret, queries: [{ user, text }], seconds, connections, and mode:
//   max     autocannon at full speed over `connections` keep-alive connections
//   burst   autocannon -R rate: each second's quota goes out at once (as autocannon paces), so its
//           latency is mostly queueing behind the rest of the burst: what the issue measured
//   paced   one request every 1/rate s, on time whatever came back (latency from the planned start)
// Requests are signed once, at the start (a signature holds for 5 minutes), by the stand-in's signer.
import autocannon from 'autocannon';
import http from 'node:http';
import { signSlackRequest } from '../dist/standIn/signing.js';

const config = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(config.url);
const now = Math.floor(Date.now() / 1000);

const requests = config.queries.map(({ user, text }, i) => {
  const body = new URLSearchParams({
    token: 'bench-token',
    team_id: 'T0TOOLGATE',
    team_domain: 'toolgate',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/can-i-use',
    text,
    api_app_id: 'A0TOOLGATE',
    is_enterprise_install: 'false',
    response_url: `http://127.0.0.1:9/response/${i}`,
    trigger_id: `bench.${i}`,
  }).toString();
  return {
    method: 'POST',
    path: url.pathname,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signSlackRequest(config.secret, body, now),
    },
    body,
  };
});

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? null;
const summary = (latencies, ok, other, seconds) => {
  latencies.sort((a, b) => a - b);
  return {
    ok,
    other,
    seconds,
    rps: ok / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? null,
  };
};

async function withAutocannon(rate) {
  const latencies = [];
  let ok = 0;
  let other = 0;
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: url.origin,
    connections: config.connections,
    duration: config.seconds,
    requests,
    ...(rate ? { overallRate: rate } : {}),
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status === 200) {
      ok++;
      latencies.push(ms);
    } else other++;
  });
  await instance;
  return summary(latencies, ok, other, Number(process.hrtime.bigint() - started) / 1e9);
}

async function paced(rate) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.connections });
  const interval = 1000 / rate;
  const total = Math.round(rate * config.seconds);
  const latencies = [];
  let ok = 0;
  let other = 0;
  const start = performance.now();
  const send = (i) =>
    new Promise((resolve) => {
      const planned = start + i * interval;
      const r = requests[i % requests.length];
      const req = http.request(
        { host: url.hostname, port: url.port, path: r.path, method: 'POST', headers: r.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) {
              ok++;
              latencies.push(performance.now() - planned);
            } else other++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        other++;
        resolve();
      });
      req.end(r.body);
    });
  const inFlight = [];
  for (let i = 0; i < total; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return summary(latencies, ok, other, (performance.now() - start) / 1000);
}

const result =
  config.mode === 'max'
    ? await withAutocannon(null)
    : config.mode === 'burst'
      ? await withAutocannon(config.rate)
      : await paced(config.rate);
console.log(JSON.stringify(result));
