#!/usr/bin/env node
// Plays the kubelet's plugin watcher and DRA manager with grpc-js (an independent gRPC stack, not .NET),
// loading the vendored protos: finds <driver>-reg.sock in the registry directory, calls
// pluginregistration.Registration GetInfo and NotifyRegistrationStatus, then dials the announced endpoint and
// drives DRAPlugin: for each claim of the JSON list, v1 NodePrepareResources twice (the retry must answer
// the same), v1beta1 once, NodeUnprepareResources twice; then times <iterations> full prepare/unprepare
// rounds of the first claim. Prints {"event":"ready"} once watching, then one {"event":"result",...}.
'use strict';
const path = require('path');
const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [dir, claimsJson, iterationsText] = process.argv.slice(2);
if (!dir || !claimsJson) {
  console.error('usage: node dra-kubelet.js <registry-directory> <claims-json> [iterations]');
  process.exit(2);
}
const claims = JSON.parse(claimsJson);
const iterations = Number(iterationsText || '50');

const protoRoot = path.resolve(__dirname, '../../../protos');
const load = (file) => grpc.loadPackageDefinition(protoLoader.loadSync(file, {
  includeDirs: [protoRoot], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
}));
const registration = load('pluginregistration/v1/api.proto').pluginregistration;
const draV1 = load('dra/v1/api.proto').k8s.io.kubelet.pkg.apis.dra.v1;
const draV1beta1 = load('dra/v1beta1/api.proto').k8s.io.kubelet.pkg.apis.dra.v1beta1;

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const fail = (message) => { emit({ event: 'error', message: String(message && message.stack || message) }); process.exit(1); };
const unary = (client, method, request) => new Promise((resolve, reject) => {
  client[method](request, { deadline: Date.now() + 10000 }, (err, res) => (err ? reject(err) : resolve(res)));
});
const median = (values) => { const s = [...values].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const percentile = (values, p) => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

async function register(socket) {
  const client = new registration.Registration('unix:' + socket, grpc.credentials.createInsecure());
  const info = await unary(client, 'GetInfo', {});
  // The kubelet's checks: the type it handles, an absolute endpoint, a version it speaks.
  const error = info.type !== 'DRAPlugin' ? 'unknown plugin type ' + info.type
    : !path.isAbsolute(info.endpoint) ? 'endpoint is not absolute: ' + info.endpoint
      : !info.supported_versions.includes('v1.DRAPlugin') ? 'no supported version in ' + info.supported_versions
        : '';
  await unary(client, 'NotifyRegistrationStatus', { plugin_registered: error === '', error });
  client.close();
  if (error) throw new Error(error);
  return info;
}

async function drive(info) {
  const v1 = new draV1.DRAPlugin('unix:' + info.endpoint, grpc.credentials.createInsecure());
  const v1beta1 = new draV1beta1.DRAPlugin('unix:' + info.endpoint, grpc.credentials.createInsecure());
  const prepared = await unary(v1, 'NodePrepareResources', { claims });
  const retried = await unary(v1, 'NodePrepareResources', { claims });
  const beta = await unary(v1beta1, 'NodePrepareResources', { claims });
  const unprepared = await unary(v1, 'NodeUnprepareResources', { claims });
  const unpreparedAgain = await unary(v1beta1, 'NodeUnprepareResources', { claims });

  // Latency: full prepares (claim read from the API server, CDI spec and record written), each undone
  // before the next, and retried prepares answered from the record.
  const claim = [claims[0]];
  const full = [];
  const cached = [];
  for (let i = 0; i < iterations; i++) {
    let start = process.hrtime.bigint();
    const answer = await unary(v1, 'NodePrepareResources', { claims: claim });
    full.push(ms(start));
    if (answer.claims[claim[0].uid].error) throw new Error(answer.claims[claim[0].uid].error);
    start = process.hrtime.bigint();
    await unary(v1, 'NodePrepareResources', { claims: claim });
    cached.push(ms(start));
    await unary(v1, 'NodeUnprepareResources', { claims: claim });
  }
  v1.close();
  v1beta1.close();
  return {
    info, prepared: prepared.claims, retried: retried.claims, beta: beta.claims,
    unprepared: unprepared.claims, unpreparedAgain: unpreparedAgain.claims,
    latency: {
      iterations,
      prepareMedianMs: median(full), prepareP90Ms: percentile(full, 0.9),
      retryMedianMs: median(cached), retryP90Ms: percentile(cached, 0.9),
    },
  };
}

let started = false;
const consider = (name) => {
  // Like the kubelet's plugin watcher: dot files are skipped, anything else ending in -reg.sock is dialled.
  if (started || !name || name.startsWith('.') || !name.endsWith('-reg.sock')) return;
  const socket = path.join(dir, name);
  if (!fs.existsSync(socket)) return;
  started = true;
  register(socket)
    .then(drive)
    .then((result) => { emit({ event: 'result', registrationSocket: socket, ...result }); process.exit(0); })
    .catch(fail);
};

fs.mkdirSync(dir, { recursive: true });
fs.watch(dir, (_, name) => consider(name && name.toString()));
fs.readdirSync(dir).forEach(consider);
emit({ event: 'ready', directory: dir });
setTimeout(() => fail('no plugin registered within 60 s'), 60000).unref();
