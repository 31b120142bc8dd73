/**
 * Large runs (SPEC §9): the sources are cut into contiguous chunks of about 128 KB
 * (never between two templates of one chart) and each chunk is linted by `lintSources`,
 * in worker threads or one after the other in this thread. The chunking never depends on
 * the number of workers, so every `--jobs` value gives the same output.
 *
 * The bundle pass needs every Service and Rollout `workloadRef` of the run before any rule
 * runs. They are predicted first by a cheap pass: a text scan cuts out the documents that
 * could hold a Service or a workloadRef, and js-yaml reads their values (`yaml` composing
 * them kept the workers waiting). When the workers start during the reading, this thread
 * scans each file as it is read and the first worker reads the candidates meanwhile
 * (StreamedPrediction); otherwise this thread does both after the reading. Each chunk
 * reports the ones it really found, and when the two differ (an escape sequence, a
 * template, a document the two parsers read differently…) every chunk is linted again with
 * the exact set, so the prediction can cost time, never correctness.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import { parseDocument } from "yaml";
import {
  buildService,
  buildWorkload,
  isListKind,
  isRecord,
  rolloutRefsOf,
  type ServiceView,
  type WorkloadView,
} from "../model/workload.js";
import type { Locator } from "../model/locate.js";
import { collectionKeyOffset, maskHelmDryRun } from "../parse/yaml.js";
import type { Finding, LintSettings, SourceFile } from "../types.js";
import {
  chartRootOf,
  compareFindings,
  findingCounts,
  isNonKubernetesJson,
  lintSources,
  firstTemplate,
  type LinkData,
  type LintResult,
  type LintSourcesOptions,
} from "./lint.js";

/**
 * About this many UTF-16 code units of text per chunk. Measured on the 50 MB benchmark
 * corpus, 1 MB, 128 KB and 32 KB chunks take the same time (within the machine's noise)
 * since the links are sent to each worker once; smaller chunks hold fewer parsed documents at
 * a time (peak memory with two threads 296 MB at 1 MB, 262 MB at 128 KB).
 */
export const CHUNK_SIZE = 128 << 10;

export interface RunOptions {
  /** Worker threads for runs of several chunks (0: this thread); default: none below 16 MB,
   *  else one per core, at most 4. */
  jobs?: number;
  /** Called after each chunk with the number of files linted so far. */
  onProgress?: (done: number, total: number) => void;
  /** Replaces predictLinks (tests use it to make the prediction wrong). */
  predict?: (sources: SourceFile[]) => Promise<LinkData>;
  /** Workers started during the reading: lintChunked uses them, and stops them. */
  early?: EarlyWorkers;
}

/** Options a chunk is linted with (plain data: they cross to worker threads). */
type ChunkOptions = Pick<LintSourcesOptions, "cwd" | "reportUnusedDisable" | "prefilter">;

/**
 * What a worker thread is asked: to read the links of some candidates (PredictRequest), to
 * lint a chunk, or (with no reply) to keep the run's links for the chunks that follow, so
 * that they are copied to each thread once rather than with every chunk.
 */
export type WorkerRequest = PredictRequest | ChunkRequest | SetLinkRequest;

export interface PredictRequest {
  type: "predict";
  id: number;
  candidates: LinkCandidate[];
}

/** The links read from a PredictRequest's candidates, or why they could not be. */
export interface PredictReply {
  id: number;
  /** Tells it from a ChunkReply. */
  predicted: true;
  link?: LinkData;
  error?: string;
}

export interface ChunkRequest {
  type: "lint";
  id: number;
  sources: SourceFile[];
  settings: LintSettings;
  /** Absent `link`: the last SetLinkRequest's (lintChunked passes it in this thread). */
  opts: ChunkOptions & { link?: LinkData };
}

export interface SetLinkRequest {
  type: "set-link";
  id: number;
  link: LinkData;
}

export interface ChunkReply {
  id: number;
  result?: Omit<LintResult, "sources">;
  local?: LinkData;
  error?: string;
}

/**
 * Lints one chunk: the function a worker thread runs (and this thread, with --jobs 0).
 * With the run's links given, each file (a chart: all its files) is linted on its own, so
 * its parsed documents are let go as soon as it is done instead of living until the whole
 * chunk is: the garbage collector no longer copies them into the old generation (measured
 * on 50 MB: scavenges 1.13 s → 0.49 s, mark-compacts 35 → 11).
 */
export function lintChunk(req: ChunkRequest): ChunkReply {
  const local: LinkData = { services: [], rollouts: [] };
  const parts = (req.opts.link ? fileGroups(req.sources) : [req.sources]).map((group) => {
    const { sources: _sources, ...result } = lintSources(group, req.settings, {
      ...req.opts,
      onLinked: (l) => {
        local.services.push(...l.services);
        local.rollouts.push(...l.rollouts);
      },
    });
    return result;
  });
  return { id: req.id, result: parts.length === 1 ? parts[0] : mergeParts(parts), local };
}

/** The links a worker thread was last sent. */
let heldLink: LinkData | undefined;

/** Answers a worker request (src/engine/worker-entry.ts); null: no reply. */
export function handleRequest(req: WorkerRequest): ChunkReply | Promise<PredictReply> | null {
  switch (req.type) {
    case "predict":
      // A failure is answered by worker-entry.ts, as a PredictReply.
      return loadValueReader().then((read) => ({
        id: req.id,
        predicted: true,
        link: linksOf(req.candidates, read),
      }));
    case "set-link":
      heldLink = req.link;
      return null;
    case "lint":
      return lintChunk(req.opts.link ? req : { ...req, opts: { ...req.opts, link: heldLink } });
  }
}

/** Contiguous chunks of about CHUNK_SIZE; one chunk when a chart's templates are scattered. */
export function chunkSources(sources: SourceFile[]): SourceFile[][] {
  return cut(sources, CHUNK_SIZE);
}

/** The files of a chunk one by one, except that a chart's files stay together. */
function fileGroups(sources: SourceFile[]): SourceFile[][] {
  return cut(sources, 0);
}

/**
 * Contiguous runs of `sources` of at least `size` units of text each (the last may be
 * shorter), never between two files of one chart; one run when a chart's files are
 * scattered.
 */
function cut(sources: SourceFile[], size: number): SourceFile[][] {
  const runs: SourceFile[][] = [];
  let current: SourceFile[] = [];
  let length = 0;
  let prevChart: string | null = null;
  const closedCharts = new Set<string>();
  for (const s of sources) {
    const chart = s.path ? chartRootOf(s.path) : null;
    if (chart !== prevChart && prevChart !== null) closedCharts.add(prevChart);
    if (chart !== null && chart !== prevChart && closedCharts.has(chart)) return [sources];
    const sameChart = chart !== null && chart === prevChart;
    if (current.length && length >= size && !sameChart) {
      runs.push(current);
      current = [];
      length = 0;
    }
    current.push(s);
    length += s.text.length;
    prevChart = chart;
  }
  if (current.length) runs.push(current);
  return runs;
}

const DOC_MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/m;
/** Text that could spell a Service kind or a workloadRef (escapes could spell anything). */
const LINK_CANDIDATE = /Service(?!Account|Monitor)|workloadRef|\\/;
/** Words without which no text matches LINK_CANDIDATE. */
const LINK_WORDS = ["Service", "workloadRef", "\\"];
/** A top-level `kind` written as a plain word: then only its words can make it a Service. */
const PLAIN_KIND = /^kind:[ \t]+([A-Za-z][\w.-]*)[ \t]*(?:#.*)?\r?$/m;

/** Could this document text be a Service, a Rollout with workloadRef, or a List of them? */
function mayLink(part: string): boolean {
  const kind = PLAIN_KIND.exec(part)?.[1];
  // Another plain kind (a CRD whose descriptions say "Service"…): only a workloadRef counts.
  if (kind !== undefined && kind !== "Service" && !kind.endsWith("List"))
    return part.includes("workloadRef");
  return LINK_CANDIDATE.test(part); // an escape could spell "Service" in a quoted kind
}

/** A document's text that could be a Service or a Rollout with workloadRef. */
export interface LinkCandidate {
  part: string;
  /** Its file has `{{ … }}` placeholders. */
  templated: boolean;
}

/** The documents of `sources` that could link, in order (a text scan, no parsing). */
export function linkCandidates(sources: SourceFile[]): LinkCandidate[] {
  const out: LinkCandidate[] = [];
  for (const source of sources) {
    if (source.problem || source.kind === "dockerfile") continue;
    // The words first (`includes` is twice as fast as the pattern), then each document.
    if (!LINK_WORDS.some((w) => source.text.includes(w))) continue;
    if (isNonKubernetesJson(source)) continue;
    const templated = firstTemplate(source.text) !== null;
    if (templated && source.path && chartRootOf(source.path)) continue;
    const text = maskHelmDryRun(source.text) ?? source.text;
    for (const part of text.split(DOC_MARKER)) if (mayLink(part)) out.push({ part, templated });
  }
  return out;
}

/** Reads a YAML document's value (js-yaml's `load` with the schema below). */
type ValueReader = (text: string) => unknown;

let valueReader: Promise<ValueReader> | undefined;

/**
 * js-yaml, with its core schema and merge keys: the values `yaml` gives with `merge: true`.
 * Only the values of link candidates are needed, not their positions, and js-yaml reads them
 * about 10 times faster than `yaml` composes them (50 MB benchmark corpus: 3,261 Services,
 * 1.1 MB of text, 0.40 s → 0.03 s warm, 0.62 s → 0.08 s cold). Loaded on first use: it
 * builds its schemas when imported, which a one-file run's start-up should not pay for.
 */
function loadValueReader(): Promise<ValueReader> {
  return (valueReader ??= import("js-yaml").then(({ default: jsYaml }) => {
    const schema = jsYaml.CORE_SCHEMA.extend({
      // js-yaml exports its types; @types/js-yaml does not declare them.
      implicit: [(jsYaml as unknown as { types: { merge: import("js-yaml").Type } }).types.merge],
    });
    return (text) => jsYaml.load(text, { schema });
  }));
}

/**
 * A link candidate's value, undefined when it is not valid YAML. js-yaml reads it; `yaml`
 * decides whatever js-yaml refuses (an unknown tag…), and reads templated files, where only
 * its nodes show a placeholder key. Where the two disagree, the prediction misses and the
 * chunks are linted again (see the header): time, never correctness.
 */
function candidateValue({ part, templated }: LinkCandidate, read: ValueReader): unknown {
  if (!templated) {
    try {
      return read(part);
    } catch {
      // `yaml` decides.
    }
  }
  const doc = parseDocument(part, {
    merge: true,
    uniqueKeys: true,
    prettyErrors: false,
    logLevel: "silent",
  });
  if (doc.errors.length) return undefined;
  // In a file with {{ … }} placeholders, a document whose key is a placeholder map is an
  // unrendered template, not linted (lint.ts): not a Service either.
  if (templated && collectionKeyOffset(doc) !== null) return undefined;
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

/** The Services and Rollout references among candidates. */
function linksOf(candidates: LinkCandidate[], read: ValueReader): LinkData {
  const services: ServiceView[] = [];
  const workloads: WorkloadView[] = [];
  for (const candidate of candidates) {
    const raw = candidateValue(candidate, read);
    if (!isRecord(raw) || typeof raw.kind !== "string" || typeof raw.apiVersion !== "string")
      continue;
    const items = isListKind(raw.apiVersion, raw.kind, raw)
      ? (raw.items as unknown[]).filter(isRecord)
      : [raw];
    for (const item of items) {
      if (typeof item.kind !== "string") continue;
      const svc = buildService(item);
      if (svc) services.push(svc);
      const w = buildWorkload({
        // Never used: only workloadRef is read.
        file: null as unknown as SourceFile,
        docIndex: 0,
        objectPath: [],
        locator: null as unknown as Locator,
        raw: item,
        helmSource: null,
      });
      if (w?.workloadRef) workloads.push(w);
    }
  }
  return { services, rollouts: rolloutRefsOf(workloads) };
}

/** The Services and Rollout references of the run, predicted cheaply (see the header). */
export async function predictLinks(sources: SourceFile[]): Promise<LinkData> {
  return linksOf(linkCandidates(sources), await loadValueReader());
}

let workerFile: URL | null | undefined;
function workerUrl(): URL | null {
  // Bundled (build/cli.js, build/index.js): build/worker.js beside it. From the TypeScript
  // sources (tests) there is no worker file: chunks are linted in this thread.
  if (workerFile === undefined) {
    const url = new URL("./worker.js", import.meta.url);
    workerFile = url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : null;
  }
  return workerFile;
}

/**
 * Old-space cap of a worker thread (a chunk needs a few megabytes).
 * DRAINLINT_WORKER_HEAP_MB lowers it, so a test can run the out-of-memory fallback.
 */
const WORKER_HEAP_MB = Number(process.env.DRAINLINT_WORKER_HEAP_MB) || 128;

/**
 * Below this much text (16 MB) a worker's start-up and cold JIT (about half a CPU second)
 * cost more than they save: the main thread lints alone.
 */
const MIN_SIZE_FOR_WORKERS = 16 << 20;

/** Below this much text, a run is linted in one pass unless --jobs is given (lintChunked). */
const MIN_SIZE_FOR_CHUNKS = 4 << 20;

export function defaultJobs(size: number): number {
  if (size < MIN_SIZE_FOR_WORKERS) return 0;
  return Math.max(1, Math.min(availableParallelism(), 4));
}

/**
 * Requests each worker thread holds at a time: while it lints one, the next waits in its
 * queue, so it never waits for this thread to read its reply and send more.
 */
const IN_FLIGHT = 2;

/**
 * Worker threads that answer requests: each is sent IN_FLIGHT of them, and one more each
 * time it replies.
 * Even one worker helps: this thread keeps only the sources and the results, and a worker's
 * heap is capped (a chunk needs far less), so garbage cannot pile up to hundreds of
 * megabytes before V8 collects it. When a chunk outgrows the cap, the pool is closed and
 * the caller goes on in this thread.
 */
class Pool {
  private readonly workers: Worker[];
  /** Why a worker stopped, between runs or during one (then the next run fails at once). */
  private failure: Error | null = null;
  private closing = false;
  /** Predictions sent and not yet answered, by id. */
  private readonly predictions = new Map<
    number,
    { resolve: (link: LinkData) => void; reject: (e: Error) => void }
  >();
  private predictionsSent = 0;

  constructor(url: URL, size: number) {
    // Loaded only for a run that uses it: a one-file run's start-up does not pay for it.
    const { Worker } = createRequire(import.meta.url)(
      "node:worker_threads",
    ) as typeof import("node:worker_threads");
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(url, {
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 16 },
      });
      w.on("message", (reply: ChunkReply | PredictReply) => {
        if ("predicted" in reply) this.settle(reply);
      });
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => {
        if (!this.closing) this.fail(new Error(`worker thread exited with code ${code}`));
      });
      return w;
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.predictions.values()) p.reject(this.failure);
    this.predictions.clear();
  }

  private settle(reply: PredictReply): void {
    const p = this.predictions.get(reply.id);
    this.predictions.delete(reply.id);
    if (reply.link) p?.resolve(reply.link);
    else p?.reject(new Error(reply.error));
  }

  /**
   * The links of `candidates`, read by the first worker: it is done before the reading is
   * (0.1 s of CPU on 50 MB), and on two cores a third busy thread would take time from this
   * one, which reads the files (measured: sending batches to each worker in turn saved
   * nothing, to the first alone 0.06 s).
   */
  predict(candidates: LinkCandidate[]): Promise<LinkData> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.predictionsSent++;
    return new Promise((resolve, reject) => {
      this.predictions.set(id, { resolve, reject });
      this.workers[0].postMessage({ type: "predict", id, candidates } satisfies PredictRequest);
    });
  }

  /** The replies to `requests` (whose ids are their indexes), in order. */
  async run(requests: ChunkRequest[], onReply: (id: number) => void): Promise<ChunkReply[]> {
    if (this.failure) throw this.failure;
    const replies: ChunkReply[] = new Array(requests.length);
    let next = 0;
    const detach: (() => void)[] = [];
    const one = (worker: Worker) =>
      new Promise<void>((resolve, reject) => {
        let pending = 0;
        const send = () => {
          if (next < requests.length) {
            worker.postMessage(requests[next++]);
            pending++;
          } else if (pending === 0) resolve();
        };
        const onMessage = (reply: ChunkReply | PredictReply) => {
          if ("predicted" in reply) return; // answered by settle()
          if (reply.error) return reject(new Error(reply.error));
          pending--;
          replies[reply.id] = reply;
          onReply(reply.id);
          send();
        };
        const onExit = (code: number) =>
          reject(new Error(`worker thread exited with code ${code}`));
        worker.on("message", onMessage).on("error", reject).on("exit", onExit);
        detach.push(() =>
          worker.off("message", onMessage).off("error", reject).off("exit", onExit),
        );
        for (let i = 0; i < IN_FLIGHT; i++) send();
      });
    try {
      await Promise.all(this.workers.map(one));
    } finally {
      for (const d of detach) d();
    }
    return replies;
  }

  /** Sends a request that gets no reply to every worker (before any later request). */
  broadcast(req: WorkerRequest): void {
    for (const w of this.workers) w.postMessage(req);
  }

  /**
   * Stops the workers without waiting for them: they wind down (19 ms for two on 50 MB)
   * while this thread merges and formats the results, and no longer keep the process alive.
   */
  close(): void {
    this.closing = true;
    for (const w of this.workers) {
      w.unref();
      w.terminate().catch(() => {});
    }
  }
}

/**
 * Tunes V8 for a run with worker threads. Only heuristics change, never results. Set only
 * when a run starts workers (importing node:v8 alone costs a one-file run 6 ms), and only
 * when the caller owns the process (the CLI): the flags are process-wide.
 *
 * Its optimising compiler (TurboFan) does less: a function must run about three times
 * longer before it is optimised (`--interrupt-budget`, 66 KB of bytecode → 200 KB), and
 * inlines less into one compilation (`--max-inlined-bytecode-size-cumulative` 920 → 300).
 * Each worker thread is an isolate that compiles drainlint's code for itself, on V8's helper
 * threads, and on two cores that work takes CPU from the other worker. On the 50 MB
 * benchmark corpus a --jobs 1 run compiles 342 times in 1.37 s instead of 464 times in
 * 2.57 s (--trace-opt); wall time, medians of 6 alternating runs: one core 11.35 → 10.64 s,
 * two cores 7.80 → 7.05 s (4 other values of the two flags: no difference beyond the noise).
 *
 * When the workers take every core, each scavenges its young generation alone
 * (`--no-parallel-scavenge`). A worker scavenges about 600 times on 50 MB, a millisecond
 * each; in parallel, each scavenge wakes V8's helper threads, which can only run by taking
 * the other worker's core (33,000 futex calls in a two-core run instead of 4,800, and the
 * interrupts that come with waking a thread on another core). Medians of alternating pairs
 * of runs in three batches (6, 5 and 6 rounds), two cores: 5.81 → 5.17 s, 5.23 → 4.94 s,
 * 5.77 → 5.33 s, CPU time 0.4–1.0 s less; one core no different (9.89 → 9.25, 8.63 → 8.70,
 * 8.77 → 9.29 s). With cores left idle (--jobs 1 on two cores, or more than four cores),
 * the helpers have somewhere to run.
 */
export function v8FlagsFor(jobs: number, cores: number): string[] {
  return [
    "--interrupt-budget=200000",
    "--max-inlined-bytecode-size-cumulative=300",
    ...(jobs >= cores ? ["--no-parallel-scavenge"] : []),
  ];
}

/** Sets the flags of v8FlagsFor, once per process. */
let v8Tuned = false;
function tuneV8(jobs: number): void {
  if (v8Tuned) return;
  v8Tuned = true;
  const v8 = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
  for (const flag of v8FlagsFor(jobs, availableParallelism())) v8.setFlagsFromString(flag);
}

/**
 * Files read before their mean size foretells the run's size (EarlyWorkers). On the 50 MB
 * benchmark corpus, 256 files foretell 33 MB; on the 10 MB one 6.9 MB, on the real corpus
 * (9.3 MB) 10.8 MB: small runs are not given workers by mistake, and a mistake would cost
 * time, never a different output.
 */
const SAMPLE_FILES = 256;

/**
 * Starts the worker threads while the files are still being read (lint.ts), as soon as the
 * text read so far, or the size the first files foretell, is enough for them (at once when
 * --jobs asks for them), so that they load and compile their code meanwhile instead of after
 * the reading, and then predicts the links as the rest is read. Every pool is started here
 * (lintChunked asks for one when none was started during the reading), so every pool is
 * tuned alike.
 */
export class EarlyWorkers {
  private size = 0;
  private pool: Pool | null = null;
  /** The sources counted so far, in order. */
  private readonly sources: SourceFile[] = [];
  private prediction: StreamedPrediction | null = null;

  /**
   * @param files how many sources the run will have: after the first SAMPLE_FILES, the
   *   default --jobs is chosen from the size they foretell (workers then start at once,
   *   while the second core is still idle, instead of when 16 MB have been read).
   */
  constructor(
    private readonly jobs: number | undefined,
    private readonly tune = false,
    private readonly files = 0,
  ) {}

  /** Counts a source read (every one, in the order lintChunked will be given them). */
  add(source: SourceFile): void {
    this.sources.push(source);
    this.size += source.text.length;
    if (this.prediction) return this.prediction.add(source);
    if (this.pool || this.jobs === 0) return;
    const read = this.sources.length;
    const foretold = read >= SAMPLE_FILES ? (this.size / read) * this.files : 0;
    const jobs = this.jobs ?? defaultJobs(Math.max(this.size, foretold));
    // --jobs N: once there are N chunks' worth of text (fewer chunks would not need them).
    if (this.jobs === undefined ? jobs > 0 : this.size >= jobs * CHUNK_SIZE) {
      const pool = this.start(jobs);
      if (!pool) return;
      // The links are predicted from now on, as the files are read (see StreamedPrediction).
      this.prediction = new StreamedPrediction(pool);
      for (const s of this.sources) this.prediction.add(s);
    }
  }

  /**
   * The links of `sources` predicted while they were read, or null when they were not (no
   * workers then, or other sources than those counted).
   */
  predicted(sources: SourceFile[]): Promise<LinkData> | null {
    const same =
      sources.length === this.sources.length && sources.every((s, i) => s === this.sources[i]);
    return same && this.prediction ? this.prediction.result(sources) : null;
  }

  /** The pool started during the reading, or one of `jobs` workers started now (none: 0). */
  start(jobs: number): Pool | null {
    if (this.pool || jobs === 0) return this.pool;
    const url = workerUrl();
    if (!url) return null;
    if (this.tune) tuneV8(jobs);
    return (this.pool = new Pool(url, jobs));
  }

  /** Stops the workers of a run that ends before lintChunked takes them. */
  close(): void {
    this.pool?.close();
  }
}

/** Candidate text sent to a worker at a time (the 50 MB benchmark corpus has 1.1 MB). */
const PREDICT_BATCH = 64 << 10;

/**
 * The links predicted as the files are read: this thread scans each file for candidates
 * (a text scan) and the first worker, idle once its code is loaded, reads the candidates'
 * values with js-yaml, a batch at a time, instead of this thread after the reading. On the
 * 50 MB benchmark corpus, two cores, with the workers started from the size the first
 * files foretell: the first chunk starts 0.04–0.07 s earlier (medians of 8 runs, two
 * sessions); on one core, no change.
 */
class StreamedPrediction {
  private batch: LinkCandidate[] = [];
  private batchSize = 0;
  private readonly parts: Promise<LinkData>[] = [];

  constructor(private readonly pool: Pool) {}

  add(source: SourceFile): void {
    for (const c of linkCandidates([source])) {
      this.batch.push(c);
      this.batchSize += c.part.length;
    }
    if (this.batchSize >= PREDICT_BATCH) this.send();
  }

  private send(): void {
    if (!this.batch.length) return;
    const part = this.pool.predict(this.batch);
    part.catch(() => {}); // awaited by result(), if the run gets that far
    this.parts.push(part);
    this.batch = [];
    this.batchSize = 0;
  }

  /** The links, in the order of the sources; read here if a worker failed. */
  async result(sources: SourceFile[]): Promise<LinkData> {
    this.send();
    try {
      const parts = await Promise.all(this.parts);
      return {
        services: parts.flatMap((p) => p.services),
        rollouts: parts.flatMap((p) => p.rollouts),
      };
    } catch {
      return predictLinks(sources); // the pool's failure is met again when it lints
    }
  }
}

/** True for the error of a worker thread that ran out of its capped heap. */
function isOutOfMemory(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY";
}

function mergeResults(sources: SourceFile[], parts: Omit<LintResult, "sources">[]): LintResult {
  return { ...mergeParts(parts), sources };
}

/** Results of consecutive parts of a run as one (findings in order, counts summed). */
function mergeParts(parts: Omit<LintResult, "sources">[]): Omit<LintResult, "sources"> {
  const findings: Finding[] = parts.flatMap((p) => p.findings).sort(compareFindings);
  return {
    findings,
    summary: {
      files: parts.reduce((n, p) => n + p.summary.files, 0),
      objects: parts.reduce((n, p) => n + p.summary.objects, 0),
      ...findingCounts(findings),
    },
    notices: parts.flatMap((p) => p.notices),
    units: parts.flatMap((p) => p.units),
    directives: parts.flatMap((p) => p.directives),
  };
}

/** `lintSources` over chunks, in worker threads when there is enough to do. */
export async function lintChunked(
  sources: SourceFile[],
  settings: LintSettings,
  opts: ChunkOptions,
  run: RunOptions = {},
): Promise<LintResult> {
  const chunks = chunkSources(sources);
  const total = sources.length;
  let done = 0;
  const progress = (files: number) => run.onProgress?.((done += files), total);
  const size = sources.reduce((n, s) => n + s.text.length, 0);
  // By default a small run is one pass: chunks would compose its Services twice (predicted,
  // then linted), 8% slower on the 1 MB benchmark corpus; from a few megabytes on, chunks
  // cost nothing and hold less in memory (10 MB: 130 MB peak instead of 182 MB).
  if (chunks.length <= 1 || (run.jobs === undefined && size < MIN_SIZE_FOR_CHUNKS)) {
    run.early?.close(); // started for a run of scattered chart templates: one chunk
    const result = lintSources(sources, settings, opts);
    progress(total);
    return result;
  }
  const jobs = run.jobs ?? defaultJobs(size);
  let pool = (run.early ?? new EarlyWorkers(run.jobs)).start(Math.min(jobs, chunks.length));
  /** Lints chunks on the pool, or in this thread (from then on) if a worker ran out. */
  const answer = async (
    requests: ChunkRequest[],
    onReply: (id: number) => void,
    link: LinkData,
  ): Promise<ChunkReply[]> => {
    if (pool) {
      try {
        return await pool.run(requests, onReply);
      } catch (e) {
        if (!isOutOfMemory(e)) throw e;
        pool.close();
        pool = null;
      }
    }
    done = 0; // every chunk is linted again here, including those a worker had answered
    return requests.map((req) => {
      // In this thread, chunks are given the links the pool's workers hold.
      const reply = lintChunk({ ...req, opts: { ...req.opts, link } });
      onReply(req.id);
      return reply;
    });
  };
  try {
    // Predicted as the files were read, or now in this thread: a text scan, then js-yaml on
    // the few candidates (0.17 s on 50 MB).
    const link = await (run.predict?.(sources) ??
      run.early?.predicted(sources) ??
      predictLinks(sources));
    const lintAll = (link: LinkData) => {
      done = 0;
      // Worker threads are sent the links once, not with every chunk.
      pool?.broadcast({ type: "set-link", id: -1, link });
      const requests: ChunkRequest[] = chunks.map((c, id) => ({
        type: "lint",
        id,
        sources: c,
        settings,
        opts,
      }));
      return answer(requests, (id) => progress(chunks[id].length), link);
    };
    let replies = await lintAll(link);
    const exact: LinkData = {
      services: replies.flatMap((r) => r.local!.services),
      rollouts: replies.flatMap((r) => r.local!.rollouts),
    };
    if (JSON.stringify(exact) !== JSON.stringify(link)) {
      // The prediction missed: lint again with what the chunks really hold.
      replies = await lintAll(exact);
    }
    return mergeResults(
      sources,
      replies.map((r) => r.result!),
    );
  } finally {
    pool?.close();
  }
}
