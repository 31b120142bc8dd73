/**
 * A worker thread of src/engine/workers.ts (bundled to build/worker.js): answers the
 * requests it is sent, one at a time: lints a chunk and replies with the results and the
 * Services it found, or keeps the run's links for the chunks that follow.
 */
import { parentPort } from "node:worker_threads";
import { handleRequest, type WorkerRequest } from "./workers.js";

parentPort!.on("message", (req: WorkerRequest) => {
  let reply;
  try {
    reply = handleRequest(req);
  } catch (e) {
    reply = { id: req.id, error: (e as Error)?.stack ?? String(e) };
  }
  if (reply) parentPort!.postMessage(reply);
});
