/**
 * Large runs (SPEC §9): the sources are cut into contiguous chunks of about a megabyte
 * (never between two templates of one chart) and each chunk is linted by `lintSources`,
 * in worker threads or one after the other in this thread. The chunking never depends on
 * the number of workers, so every `--jobs` value gives the same output.
 *
 * The bundle pass needs every Service and Rollout `workloadRef` of the run before any rule
 * runs. They are predicted first by a cheap pass (only documents whose text could hold a
 * Service or a workloadRef are composed); each chunk reports the ones it really found, and
 * when the two differ (an escape sequence, a template…) every chunk is linted again with
 * the exact set, so the prediction can cost time, never correctness.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
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
  isNonKubernetesJson,
  lintSources,
  TEMPLATE_RE,
  type LinkData,
  type LintResult,
  type LintSourcesOptions,
} from "./lint.js";

/** About this many UTF-16 code units of text per chunk. */
export const CHUNK_SIZE = 1 << 20;

export interface RunOptions {
  /** Worker threads for runs of several chunks (0: this thread); default: none below 16 MB,
   *  else one per core, at most 4. */
  jobs?: number;
  /** Called after each chunk with the number of files linted so far. */
  onProgress?: (done: number, total: number) => void;
  /** Replaces predictLinks (tests use it to make the prediction wrong). */
  predict?: (sources: SourceFile[]) => LinkData;
}

/** Options a chunk is linted with (plain data: they cross to worker threads). */
type ChunkOptions = Pick<LintSourcesOptions, "cwd" | "reportUnusedDisable" | "prefilter">;

export interface ChunkRequest {
  id: number;
  sources: SourceFile[];
  settings: LintSettings;
  opts: ChunkOptions & { link?: LinkData };
}

export interface ChunkReply {
  id: number;
  result?: Omit<LintResult, "sources">;
  local?: LinkData;
  error?: string;
}

/** Lints one chunk: the function a worker thread runs (and this thread, with --jobs 0). */
export function lintChunk(req: ChunkRequest): ChunkReply {
  let local: LinkData | undefined;
  const { sources: _sources, ...result } = lintSources(req.sources, req.settings, {
    ...req.opts,
    onLinked: (l) => (local = l),
  });
  return { id: req.id, result, local };
}

/** Contiguous chunks of about CHUNK_SIZE; one chunk when a chart's templates are scattered. */
export function chunkSources(sources: SourceFile[]): SourceFile[][] {
  const chunks: SourceFile[][] = [];
  let current: SourceFile[] = [];
  let size = 0;
  let prevChart: string | null = null;
  const closedCharts = new Set<string>();
  for (const s of sources) {
    const chart = s.path ? chartRootOf(s.path) : null;
    if (chart !== prevChart && prevChart !== null) closedCharts.add(prevChart);
    if (chart !== null && chart !== prevChart && closedCharts.has(chart)) return [sources];
    const sameChart = chart !== null && chart === prevChart;
    if (size >= CHUNK_SIZE && !sameChart) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(s);
    size += s.text.length;
    prevChart = chart;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

const DOC_MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/m;
/** Text that could spell a Service kind or a workloadRef (escapes could spell anything). */
const LINK_CANDIDATE = /Service(?!Account|Monitor)|workloadRef|\\/;
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

/** The Services and Rollout references of the run, predicted cheaply (see the header). */
export function predictLinks(sources: SourceFile[]): LinkData {
  const services: ServiceView[] = [];
  const workloads: WorkloadView[] = [];
  for (const source of sources) {
    if (source.problem || source.kind === "dockerfile") continue;
    if (!LINK_CANDIDATE.test(source.text)) continue;
    if (isNonKubernetesJson(source)) continue;
    if (TEMPLATE_RE.test(source.text) && source.path && chartRootOf(source.path)) continue;
    const text = maskHelmDryRun(source.text) ?? source.text;
    const templated = TEMPLATE_RE.test(source.text);
    for (const part of text.split(DOC_MARKER)) {
      if (!mayLink(part)) continue;
      const doc = parseDocument(part, {
        merge: true,
        uniqueKeys: true,
        prettyErrors: false,
        logLevel: "silent",
      });
      if (doc.errors.length) continue;
      // In a file with {{ … }} placeholders, a document whose key is a placeholder map is an
      // unrendered template, not linted (lint.ts): not a Service either.
      if (templated && collectionKeyOffset(doc) !== null) continue;
      let raw: unknown;
      try {
        raw = doc.toJS({ maxAliasCount: 100 });
      } catch {
        continue;
      }
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
          file: source,
          docIndex: 0,
          objectPath: [],
          locator: null as unknown as Locator, // never used: only workloadRef is read
          raw: item,
          helmSource: null,
        });
        if (w?.workloadRef) workloads.push(w);
      }
    }
  }
  return { services, rollouts: rolloutRefsOf(workloads) };
}

function workerUrl(): URL | null {
  // Bundled (build/cli.js, build/index.js): build/worker.js beside it. From the TypeScript
  // sources (tests) there is no worker file: chunks are linted in this thread.
  const url = new URL("./worker.js", import.meta.url);
  return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : null;
}

/** Old-space cap of a worker thread (a 1 MB chunk needs a few tens of megabytes). */
const WORKER_HEAP_MB = 128;

/**
 * Below this many chunks (megabytes) a worker's start-up and cold JIT (about half a CPU
 * second) cost more than they save: the main thread lints alone.
 */
const MIN_CHUNKS_FOR_WORKERS = 16;

export function defaultJobs(chunks: number): number {
  if (chunks < MIN_CHUNKS_FOR_WORKERS) return 0;
  return Math.max(1, Math.min(availableParallelism(), 4));
}

/** Lints chunk requests on `jobs` worker threads (in this thread when 0 or unavailable). */
async function runChunks(
  requests: ChunkRequest[],
  jobs: number,
  progress: (files: number) => void,
): Promise<ChunkReply[]> {
  const replies: ChunkReply[] = new Array(requests.length);
  const url = jobs > 0 ? workerUrl() : null;
  if (!url) {
    for (const req of requests) {
      replies[req.id] = lintChunk(req);
      progress(req.sources.length);
    }
    return replies;
  }
  let next = 0;
  const one = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      const send = () => {
        if (next >= requests.length) return resolve();
        worker.postMessage(requests[next++]);
      };
      worker.on("message", (reply: ChunkReply) => {
        if (reply.error) return reject(new Error(reply.error));
        replies[reply.id] = reply;
        progress(requests[reply.id].sources.length);
        send();
      });
      worker.on("error", reject);
      worker.on("exit", (code) => {
        if (code !== 0) reject(new Error(`worker thread exited with code ${code}`));
      });
      send();
    });
  // Even one worker helps: this thread keeps only the sources and the results, and a
  // worker's heap is capped (a chunk needs far less), so garbage cannot pile up to hundreds
  // of megabytes before V8 collects it. A chunk too big for the cap is linted here instead.
  const workers = Array.from(
    { length: Math.min(jobs, requests.length) },
    () =>
      new Worker(url, {
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 16 },
      }),
  );
  try {
    await Promise.all(workers.map(one));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return replies;
}

function mergeResults(sources: SourceFile[], parts: Omit<LintResult, "sources">[]): LintResult {
  const findings: Finding[] = parts.flatMap((p) => p.findings).sort(compareFindings);
  const count = (s: Finding["severity"]) => findings.filter((f) => f.severity === s).length;
  return {
    findings,
    summary: {
      files: parts.reduce((n, p) => n + p.summary.files, 0),
      objects: parts.reduce((n, p) => n + p.summary.objects, 0),
      errors: count("error"),
      warnings: count("warning"),
      infos: count("info"),
      fixable: findings.filter((f) => f.fix !== null).length,
    },
    notices: parts.flatMap((p) => p.notices),
    units: parts.flatMap((p) => p.units),
    sources,
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
  if (chunks.length <= 1) {
    const result = lintSources(sources, settings, opts);
    progress(total);
    return result;
  }
  const jobs = run.jobs ?? defaultJobs(chunks.length);
  const link = (run.predict ?? predictLinks)(sources);
  const requests = chunks.map((c, id) => ({ id, sources: c, settings, opts: { ...opts, link } }));
  const lintAll = async () => {
    try {
      return await runChunks(requests, jobs, progress);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ERR_WORKER_OUT_OF_MEMORY") throw e;
      done = 0; // a chunk outgrew a worker's heap: lint everything in this thread
      return runChunks(requests, 0, progress);
    }
  };
  let replies = await lintAll();
  const exact: LinkData = {
    services: replies.flatMap((r) => r.local!.services),
    rollouts: replies.flatMap((r) => r.local!.rollouts),
  };
  if (JSON.stringify(exact) !== JSON.stringify(link)) {
    // The prediction missed: lint again with what the chunks really hold.
    done = 0;
    for (const r of requests) r.opts.link = exact;
    replies = await lintAll();
  }
  return mergeResults(
    sources,
    replies.map((r) => r.result!),
  );
}
