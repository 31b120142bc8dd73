/**
 * A worker thread of src/engine/workers.ts (bundled to build/worker.js): lints the chunks it
 * is sent, one at a time, and replies with the results and the Services it found.
 */
import { parentPort } from "node:worker_threads";
import { lintChunk, type ChunkReply, type ChunkRequest } from "./workers.js";

parentPort!.on("message", (req: ChunkRequest) => {
  let reply: ChunkReply;
  try {
    reply = lintChunk(req);
  } catch (e) {
    reply = { id: req.id, error: (e as Error)?.stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
