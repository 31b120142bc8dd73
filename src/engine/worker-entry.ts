/**
 * A worker thread of src/engine/workers.ts (bundled to build/worker.js): answers the
 * requests it is sent, in order: reads the links of candidate documents (js-yaml, loaded on
 * the first such request), lints a chunk and replies with the results and the Services it
 * found, or keeps the run's links for the chunks that follow.
 */
import { parentPort } from "node:worker_threads";
import { handleRequest, type WorkerRequest } from "./workers.js";

// `yaml` reads process.env.LOG_TOKENS and LOG_STREAM for every token it parses. Node's
// process.env answers each read in C++ (0.13 µs; 3% of a worker's time on the 50 MB
// benchmark corpus); a plain copy answers in 0.01 µs. This thread only lints: it neither
// changes the environment nor starts processes that would inherit it.
process.env = { ...process.env };

/** The reply to a request that failed (a prediction's says it is one: PredictReply). */
const failed = (req: WorkerRequest, e: unknown) => ({
  id: req.id,
  error: (e as Error)?.stack ?? String(e),
  ...(req.type === "predict" && { predicted: true }),
});

parentPort!.on("message", (req: WorkerRequest) => {
  let reply;
  try {
    reply = handleRequest(req);
  } catch (e) {
    reply = failed(req, e);
  }
  if (reply instanceof Promise)
    reply.then(
      (r) => parentPort!.postMessage(r),
      (e) => parentPort!.postMessage(failed(req, e)),
    );
  else if (reply) parentPort!.postMessage(reply);
});
