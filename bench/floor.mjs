// The floor a yaml-based linter cannot beat (issue 8): `read` reads every file drainlint
// would read; `parse` also runs `yaml`'s parseAllDocuments (with a LineCounter, since a
// linter needs positions) on the YAML and JSON ones. Prints {files, bytes, documents}.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";

const [mode, ...roots] = process.argv.slice(2);
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

let bytes = 0;
let documents = 0;
const files = roots.flatMap((r) => walk(r, []));
for (const f of files) {
  const buf = readFileSync(f);
  bytes += buf.length;
  const text = new TextDecoder().decode(buf);
  if (mode === "parse" && isYaml(f)) {
    const docs = parseAllDocuments(text, { lineCounter: new LineCounter() });
    documents += Array.isArray(docs) ? docs.length : 0;
  }
}
process.stdout.write(JSON.stringify({ files: files.length, bytes, documents }) + "\n");
