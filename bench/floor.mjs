// The floor a yaml-based linter cannot beat (issue 8): `read` reads every file drainlint
// would read; `parse` also runs `yaml`'s parseAllDocuments (with a LineCounter, since a
// linter needs positions) on the YAML and JSON ones; `parse-threads N` does the same in N
// worker threads, fed texts in chunks of about 1 MB (drainlint's are 128 KB), each worker
// sent the next chunk when it replies (the floor's own speed-up from threads here). Prints
// {files, bytes, documents}.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import { LineCounter, parseAllDocuments } from "yaml";

const isYaml = (f) => /\.(ya?ml|json)$/i.test(f);
const isDockerfile = (f) => /^(Dockerfile|Containerfile)(\..*)?$|\.[Dd]ockerfile$/.test(f);

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (e.name === ".git" || e.name === "node_modules") continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && (isYaml(e.name) || isDockerfile(e.name))) out.push(p);
  }
  return out;
}

const parse = (text) => {
  const docs = parseAllDocuments(text, { lineCounter: new LineCounter() });
  return Array.isArray(docs) ? docs.length : 0;
};

if (!isMainThread) {
  // A chunk of YAML texts in, its number of documents out.
  parentPort.on("message", (texts) =>
    parentPort.postMessage(texts.reduce((n, t) => n + parse(t), 0)),
  );
} else {
  const [mode, ...rest] = process.argv.slice(2);
  const threads = mode === "parse-threads" ? Number(rest.shift()) : 0;
  let bytes = 0;
  let documents = 0;
  const files = rest.flatMap((r) => walk(r, []));
  const chunks = [[]];
  let chunkSize = 0;
  for (const f of files) {
    const buf = readFileSync(f);
    bytes += buf.length;
    const text = new TextDecoder().decode(buf);
    if (mode === "parse" && isYaml(f)) documents += parse(text);
    if (threads && isYaml(f)) {
      if (chunkSize >= 1 << 20) (chunks.push([]), (chunkSize = 0));
      chunks.at(-1).push(text);
      chunkSize += text.length;
    }
  }
  if (threads) {
    let next = 0;
    const one = () =>
      new Promise((resolve, reject) => {
        const w = new Worker(new URL(import.meta.url));
        const send = () => {
          if (next < chunks.length) return w.postMessage(chunks[next++]);
          w.terminate().then(resolve, reject);
        };
        w.on("message", (n) => ((documents += n), send()));
        w.on("error", reject);
        send();
      });
    await Promise.all(Array.from({ length: threads }, one));
  }
  process.stdout.write(JSON.stringify({ files: files.length, bytes, documents }) + "\n");
}
