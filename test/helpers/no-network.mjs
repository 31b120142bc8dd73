// Preload (`node --import`) that makes every way out to the network throw, and says so on
// standard error, so a test can assert that a run never tried (issue 9, SPEC §10).
import { syncBuiltinESMExports } from "node:module";
import dgram from "node:dgram";
import dns from "node:dns";
import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import { writeSync } from "node:fs";

function blocked(what) {
  return function () {
    writeSync(2, `NETWORK ACCESS attempted: ${what}\n`);
    throw new Error(`network access is disabled in this test (${what})`);
  };
}

net.connect = net.createConnection = blocked("net.connect");
net.Socket.prototype.connect = blocked("net.Socket.connect");
tls.connect = blocked("tls.connect");
http.request = http.get = blocked("http.request");
https.request = https.get = blocked("https.request");
http2.connect = blocked("http2.connect");
dgram.createSocket = blocked("dgram.createSocket");
for (const name of ["lookup", "lookupService", "resolve", "resolve4", "resolve6", "resolveAny"]) {
  dns[name] = blocked(`dns.${name}`);
  dns.promises[name] = blocked(`dns.promises.${name}`);
}
globalThis.fetch = blocked("fetch");
if (globalThis.WebSocket) globalThis.WebSocket = blocked("WebSocket");
syncBuiltinESMExports();
