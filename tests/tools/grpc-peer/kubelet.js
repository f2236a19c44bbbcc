#!/usr/bin/env node
// Plays the kubelet's device manager with grpc-js (an independent gRPC stack, not .NET), loading the
// vendored protos: serves v1beta1.Registration on <dir>/kubelet.sock, and on Register dials the plugin
// back and calls GetDevicePluginOptions, ListAndWatch, GetPreferredAllocation and Allocate (valid, then
// an unknown ID). Prints one JSON line {"event":"ready"} when listening, then one {"event":"result",...}.
'use strict';
const path = require('path');
const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node kubelet.js <device-plugin-directory>');
  process.exit(2);
}

const protoRoot = path.resolve(__dirname, '../../../protos');
const definition = protoLoader.loadSync('deviceplugin/v1beta1/api.proto', {
  includeDirs: [protoRoot], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
});
const v1beta1 = grpc.loadPackageDefinition(definition).v1beta1;

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const fail = (message) => { emit({ event: 'error', message: String(message) }); process.exit(1); };
const unary = (client, method, request) => new Promise((resolve, reject) => {
  client[method](request, { deadline: Date.now() + 10000 }, (err, res) => (err ? reject(err) : resolve(res)));
});

async function drive(register) {
  const socket = path.join(dir, register.endpoint);
  const client = new v1beta1.DevicePlugin('unix:' + socket, grpc.credentials.createInsecure());
  const options = await unary(client, 'GetDevicePluginOptions', {});
  const first = await new Promise((resolve, reject) => {
    const call = client.ListAndWatch({});
    call.once('data', (msg) => { resolve(msg); call.cancel(); });
    call.on('error', (err) => { if (err.code !== grpc.status.CANCELLED) reject(err); });
  });
  const ids = first.devices.map((d) => d.ID);
  const preferred = await unary(client, 'GetPreferredAllocation', {
    container_requests: [{ available_deviceIDs: ids, must_include_deviceIDs: [ids[ids.length - 1]], allocation_size: 2 }],
  });
  const allocate = await unary(client, 'Allocate', { container_requests: [{ devices_ids: [ids[0], ids[0]] }] });
  let rejected = null;
  try {
    await unary(client, 'Allocate', { container_requests: [{ devices_ids: ['GPU-does-not-exist'] }] });
  } catch (err) {
    rejected = { code: grpc.status[err.code], details: err.details };
  }
  client.close();
  return { register, options, devices: first.devices, preferred: preferred.container_responses[0].deviceIDs,
    allocate: allocate.container_responses[0], rejected };
}

const server = new grpc.Server();
server.addService(v1beta1.Registration.service, {
  Register: (call, callback) => {
    const register = call.request;
    if (register.version !== 'v1beta1') {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: 'unsupported version ' + register.version });
      return;
    }
    // Like the kubelet: answer Register, then talk to the plugin.
    callback(null, {});
    drive(register)
      .then((result) => { emit({ event: 'result', ...result }); server.forceShutdown(); process.exit(0); })
      .catch(fail);
  },
});

const kubeletSock = path.join(dir, 'kubelet.sock');
try { fs.unlinkSync(kubeletSock); } catch { /* not there */ }
server.bindAsync('unix:' + kubeletSock, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) fail(err);
  emit({ event: 'ready', socket: kubeletSock });
});
setTimeout(() => fail('no registration within 30 s'), 30000).unref();
