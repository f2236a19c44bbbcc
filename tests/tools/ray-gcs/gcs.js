#!/usr/bin/env node
// A fake Ray GCS: ray.rpc.autoscaler.AutoscalerStateService (GetClusterStatus, DrainNode) served by grpc-js,
// an independent gRPC stack, from the same vendored protos/ray/autoscaler.proto the agent compiles.
//
// Listens on 127.0.0.1 (plaintext HTTP/2, as a GCS does by default) and talks to the test over JSON lines:
//   stdout: {"event":"ready","port":N}                        once listening
//           {"event":"request","method":M,"at_ms":T,"request":{...},"authorization":A}   every call received
//           {"event":"reply","id":I,...}                       the answer to a command
//   stdin:  {"id":I,"op":"nodes","nodes":[{"node_id":hex,"ip":s,"status":"RUNNING","idle_duration_ms":n}]}
//           {"id":I,"op":"status","node_id":hex,"status":"DRAINING|DEAD|...","idle_duration_ms":n}
//           {"id":I,"op":"drain","mode":"accept|reject|unauthenticated|error|hang","message":s,"after_accept":"draining|idle|dead|none"}
//           {"id":I,"op":"auth","token":s|null}   token auth on (calls without "authorization: Bearer <s>" fail UNAUTHENTICATED) or off
//           {"id":I,"op":"down"} / {"id":I,"op":"up"}   stop listening (connections refused) / listen again on the same port
//           {"id":I,"op":"requests"}                    every request recorded so far
// Node ids are hex on the control side and bytes on the wire, as Ray's node_id is.
'use strict';
const path = require('path');
const readline = require('readline');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const protoRoot = path.resolve(__dirname, '../../../protos');
const definition = protoLoader.loadSync('ray/autoscaler.proto', {
  includeDirs: [protoRoot], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
});
const autoscaler = grpc.loadPackageDefinition(definition).ray.rpc.autoscaler;
const STATUSES = ['UNSPECIFIED', 'RUNNING', 'DEAD', 'IDLE', 'DRAINING'];

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

const state = {
  nodes: [],          // {node_id: hex, ip, status, idle_duration_ms, version}
  drain: { mode: 'accept', message: '', after_accept: 'draining' },
  token: null,
  requests: [],
  version: 0,
};

function record(method, call, request) {
  const authorization = call.metadata.get('authorization')[0] || null;
  const entry = { method, at_ms: Date.now(), request, authorization };
  state.requests.push(entry);
  emit({ event: 'request', ...entry });
}

// Ray 2.52's token auth: the token travels as gRPC metadata "authorization: Bearer <token>".
function authFailure(call) {
  if (state.token === null) return null;
  const given = call.metadata.get('authorization')[0];
  if (given === 'Bearer ' + state.token) return null;
  return { code: grpc.status.UNAUTHENTICATED, details: 'Invalid or missing authentication token' };
}

function nodeState(n) {
  return {
    node_id: Buffer.from(n.node_id, 'hex'),
    node_ip_address: n.ip,
    status: n.status,
    idle_duration_ms: n.idle_duration_ms || 0,
    node_state_version: n.version,
    ray_node_type_name: n.type || '',
    total_resources: n.total_resources || {},
    labels: n.labels || {},
  };
}

function setStatus(hex, status, idle) {
  const node = state.nodes.find((n) => n.node_id === hex);
  if (!node) return false;
  node.status = status;
  if (idle !== undefined) node.idle_duration_ms = idle;
  node.version = ++state.version;
  return true;
}

const service = {
  GetClusterStatus(call, callback) {
    record('GetClusterStatus', call, {});
    const denied = authFailure(call);
    if (denied) return callback(denied);
    callback(null, {
      cluster_resource_state: {
        cluster_resource_state_version: state.version,
        node_states: state.nodes.map(nodeState),
        cluster_session_name: 'session_fake',
      },
    });
  },
  DrainNode(call, callback) {
    const r = call.request;
    record('DrainNode', call, {
      node_id: Buffer.from(r.node_id).toString('hex'),
      reason: r.reason,
      reason_message: r.reason_message,
      deadline_timestamp_ms: r.deadline_timestamp_ms,
    });
    const denied = authFailure(call);
    if (denied) return callback(denied);
    const { mode, message, after_accept } = state.drain;
    switch (mode) {
      case 'hang': return undefined; // never answers: the caller's deadline has to end it
      case 'unauthenticated': return callback({ code: grpc.status.UNAUTHENTICATED, details: message || 'Invalid or missing authentication token' });
      case 'error': return callback({ code: grpc.status.INTERNAL, details: message || 'GCS internal error' });
      case 'reject': return callback(null, { is_accepted: false, rejection_reason_message: message || 'rejected' });
      default: {
        const hex = Buffer.from(r.node_id).toString('hex');
        // As Ray: accepting a drain moves the node to DRAINING; a drained node is idle, then DEAD when its raylet exits.
        if (after_accept === 'draining') setStatus(hex, 'DRAINING');
        if (after_accept === 'idle') setStatus(hex, 'DRAINING', 1);
        if (after_accept === 'dead') setStatus(hex, 'DEAD');
        return callback(null, { is_accepted: true, rejection_reason_message: '' });
      }
    }
  },
};

let server = null;
let port = Number(process.argv[2] || 0);

function listen() {
  return new Promise((resolve, reject) => {
    server = new grpc.Server();
    server.addService(autoscaler.AutoscalerStateService.service, service);
    server.bindAsync('127.0.0.1:' + port, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) return reject(err);
      port = bound;
      resolve(bound);
    });
  });
}

// Resolves once the listening socket is closed, so an "up" right after it can bind the same port again.
function down() {
  if (!server) return Promise.resolve();
  const closing = server;
  server = null;
  return new Promise((resolve) => {
    closing.tryShutdown(() => resolve());
    closing.forceShutdown();
  });
}

async function handle(command) {
  switch (command.op) {
    case 'nodes':
      state.nodes = command.nodes.map((n) => ({ ...n, status: n.status || 'RUNNING', version: ++state.version }));
      return {};
    case 'status':
      if (!STATUSES.includes(command.status)) throw new Error('unknown status ' + command.status);
      if (!setStatus(command.node_id, command.status, command.idle_duration_ms)) throw new Error('no node ' + command.node_id);
      return {};
    case 'drain':
      state.drain = { mode: command.mode || 'accept', message: command.message || '', after_accept: command.after_accept || 'draining' };
      return {};
    case 'auth':
      state.token = command.token || null;
      return {};
    case 'down':
      await down();
      return {};
    case 'up':
      if (!server) await listen();
      return { port };
    case 'requests':
      return { requests: state.requests };
    default:
      throw new Error('unknown op ' + command.op);
  }
}

listen().then((bound) => {
  emit({ event: 'ready', port: bound });
  const lines = readline.createInterface({ input: process.stdin });
  // Commands run one at a time, in the order sent ("down" then "up" must not overlap).
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      let command;
      try {
        command = JSON.parse(line);
      } catch (err) {
        emit({ event: 'reply', id: null, error: 'not JSON: ' + err.message });
        return;
      }
      try {
        emit({ event: 'reply', id: command.id, ...(await handle(command)) });
      } catch (err) {
        emit({ event: 'reply', id: command.id, error: String(err.message || err) });
      }
    });
  });
  // The test closing stdin (or dying) ends the fake, after the commands already sent.
  lines.on('close', () => { queue.then(down).then(() => process.exit(0)); });
}, (err) => {
  emit({ event: 'error', message: String(err.message || err) });
  process.exit(1);
});
