// A WebSocket peer nobody here wrote: Node's `ws` package (npm), run by
// `node` as a separate process, so the WebSocket tests talk to an
// implementation other than socktool's own. Driven by one JSON argument;
// reports one JSON object per line on stdout (`listening`, `open`,
// `connection`, `message`, `sent`, `close`, `error`). Installed by
// tests/install_peers.sh into tests/.npm-peers (see ws_peer.ts).
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const wsModule = process.env.SOCKTOOL_WS_MODULE ||
  path.join(__dirname, "..", ".npm-peers", "node_modules", "ws");
const { WebSocket, WebSocketServer } = require(wsModule);

const cfg = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

/** Counts and hashes the messages received. */
function received() {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  let messages = 0;
  return {
    add(data) {
      hash.update(data);
      bytes += data.length;
      messages++;
    },
    get bytes() {
      return bytes;
    },
    get messages() {
      return messages;
    },
    done: () => ({ bytes, messages, sha256: hash.digest("hex") }),
  };
}

/** Sends `total` random bytes as binary messages of `chunk` bytes; reports their hash. */
function sendRandom(ws, total, chunk) {
  const hash = crypto.createHash("sha256");
  for (let at = 0; at < total; at += chunk) {
    const part = crypto.randomBytes(Math.min(chunk, total - at));
    hash.update(part);
    ws.send(part, { binary: true });
  }
  out({ event: "sent", bytes: total, sha256: hash.digest("hex") });
}

/** What both roles do with an open WebSocket. */
function run(ws) {
  const rx = received();
  const held = [];
  ws.on("message", (data, isBinary) => {
    rx.add(data);
    if (cfg.log) {
      out({
        event: "message",
        binary: isBinary,
        text: isBinary ? undefined : data.toString("utf8"),
        hex: isBinary ? data.toString("hex") : undefined,
      });
    }
    if (cfg.echo) ws.send(data, { binary: isBinary });
    if (cfg.echoWhenAllIn) {
      // Holds every echo until this many bytes are in, then sends them all:
      // the echo leaves as the client's Close arrives, its tail after it.
      held.push([data, isBinary]);
      if (rx.bytes >= cfg.echoWhenAllIn) {
        for (const [d, b] of held.splice(0)) ws.send(d, { binary: b });
      }
    }
    if (cfg.closeOnMessage) ws.close(cfg.closeOnMessage.code, cfg.closeOnMessage.reason);
    if (cfg.closeAfterMessages && rx.messages === cfg.closeAfterMessages) ws.close(1000);
    if (cfg.closeAfterBytes && rx.bytes >= cfg.closeAfterBytes) ws.close(1000, "enough");
    if (cfg.closeOnText !== undefined && !isBinary && data.toString("utf8") === cfg.closeOnText) {
      ws.close(1000);
    }
  });
  ws.on("close", (code, reason) => {
    out({ event: "close", code, reason: reason.toString("utf8"), ...rx.done() });
    if (cfg.role === "client" || cfg.once) process.exit(0);
  });
  ws.on("error", (err) => out({ event: "error", message: err.message }));
  for (const text of cfg.send ?? []) ws.send(text);
  if (cfg.sendBinaryHex) ws.send(Buffer.from(cfg.sendBinaryHex, "hex"), { binary: true });
  if (cfg.sendBytes) sendRandom(ws, cfg.sendBytes, cfg.chunk ?? 65536);
  if (cfg.closeAfterSend) ws.close(cfg.closeAfterSend.code, cfg.closeAfterSend.reason);
  // Stop reading: a peer that never answers our Close.
  if (cfg.pause) ws._socket.pause();
}

if (cfg.role === "server") {
  const handleProtocols = (
    offered,
  ) => (cfg.protocol && offered.has(cfg.protocol) ? cfg.protocol : false);
  let wss;
  const onListening = (port) => out({ event: "listening", port });
  if (cfg.cert) {
    const server = require("node:https").createServer({
      cert: fs.readFileSync(cfg.cert),
      key: fs.readFileSync(cfg.key),
    });
    wss = new WebSocketServer({ server, handleProtocols });
    server.listen(0, "127.0.0.1", () => onListening(server.address().port));
  } else {
    wss = new WebSocketServer(
      { host: "127.0.0.1", port: 0, handleProtocols },
      () => onListening(wss.address().port),
    );
  }
  wss.on("connection", (ws, req) => {
    out({ event: "connection", path: req.url, protocol: ws.protocol, headers: req.headers });
    run(ws);
  });
} else {
  const ws = new WebSocket(cfg.url, cfg.protocols ?? [], {
    ca: cfg.ca ? fs.readFileSync(cfg.ca) : undefined,
    headers: cfg.headers,
  });
  ws.on("open", () => {
    out({ event: "open", protocol: ws.protocol });
    run(ws);
  });
  ws.on("unexpected-response", (_req, res) => {
    out({ event: "unexpected-response", status: res.statusCode });
    process.exit(1);
  });
  let opened = false;
  ws.on("open", () => opened = true);
  ws.on("error", (err) => {
    if (!opened) out({ event: "error", message: err.message });
  });
  // Once open, run() reports the close and exits.
  ws.on("close", () => opened || process.exit(1));
}
