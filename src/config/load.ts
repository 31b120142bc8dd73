/**
 * The configuration file (SPEC §4): `.drainlint.yaml` / `.drainlint.yml`, found from the
 * working directory upward (stopping at the repository root), or named with `--config`.
 * It is data, never code: parsed as YAML, validated against schema/drainlint.schema.json
 * by the Ajv validator compiled at build time. Every problem becomes one line with the
 * file, the position, the key path, what was expected and a did-you-mean; a config with a
 * problem is never used (ConfigError, exit 2).
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Node as YNode } from "yaml";
import type { Budget, Severity, SeverityOrOff } from "../types.js";
import { didYouMean } from "../util/text.js";
import { configSchema, validate } from "./validate.generated.js";

export const CONFIG_NAMES = [".drainlint.yaml", ".drainlint.yml"] as const;

export interface DrainlintConfig {
  $schema?: string;
  kubernetesVersion?: string;
  rules?: Record<string, SeverityOrOff> | null;
  budget?: Partial<Budget> | null;
  ignorePaths?: string[] | null;
  failOn?: Severity | "never";
}

/** A validated configuration and where it came from (`file` null for an in-memory object). */
export interface LoadedConfig {
  file: string | null;
  /** The directory `ignorePaths` are relative to: the file's, or the cwd for an object. */
  dir: string;
  config: DrainlintConfig;
}

/** A configuration that cannot be used; `problems` holds one line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  enum?: string[];
  type?: string | string[];
  items?: JsonSchema;
};
const SCHEMA = configSchema as JsonSchema;

/** Names people reach for that are not ours, and the key they meant. */
const ALIASES: Record<string, string> = {
  kubeVersion: "kubernetesVersion",
  "kube-version": "kubernetesVersion",
  k8sVersion: "kubernetesVersion",
  "kubernetes-version": "kubernetesVersion",
  version: "kubernetesVersion",
  ignore: "ignorePaths",
  ignorePatterns: "ignorePaths",
  "ignore-paths": "ignorePaths",
  exclude: "ignorePaths",
  excludePaths: "ignorePaths",
  "fail-on": "failOn",
  failureThreshold: "failOn",
  "failure-threshold": "failOn",
  rule: "rules",
  severity: "rules",
  "max-request-seconds": "maxRequestSeconds",
  "safety-margin-seconds": "safetyMarginSeconds",
  "endpoint-propagation-seconds": "endpointPropagationSeconds",
  warn: "warning",
  err: "error",
  none: "off",
  disabled: "off",
  disable: "off",
};

/** A near miss among `candidates`: edit distance, an alias, a prefix or a spelling variant. */
export function suggest(word: string, candidates: readonly string[]): string | null {
  const alias = ALIASES[word];
  if (alias && candidates.includes(alias)) return alias;
  const hint = didYouMean(word, candidates);
  if (hint) return hint;
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, "");
  const w = norm(word);
  if (!w) return null;
  return (
    candidates.find((c) => norm(c) === w) ??
    (w.length >= 3 ? candidates.find((c) => norm(c).startsWith(w)) : undefined) ??
    null
  );
}

/** `.drainlint.yaml` or `.drainlint.yml` from `cwd` upward, stopping at the repository root. */
export function findConfigFile(cwd: string): string | null {
  let dir = path.resolve(cwd);
  for (;;) {
    const found = CONFIG_NAMES.map((n) => path.join(dir, n)).filter(isFile);
    if (found.length > 1)
      throw new ConfigError([
        `${found.map((f) => displayOf(f, cwd)).join(" and ")} both exist: drainlint would read one and silently ignore the other; keep one`,
      ]);
    if (found.length === 1) return found[0];
    if (exists(path.join(dir, ".git"))) return null; // the repository root
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function displayOf(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel)
    ? rel.split(path.sep).join("/")
    : file;
}

/** Reads, parses and validates a config file; throws ConfigError listing every problem. */
export function loadConfigFile(file: string, cwd: string = process.cwd()): LoadedConfig {
  const abs = path.resolve(cwd, file);
  const shown = displayOf(abs, cwd);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : (code ?? (e as Error).message);
    throw new ConfigError([`${shown}: cannot read the config file (${why})`]);
  }
  return { file: abs, dir: path.dirname(abs), config: parseConfigText(text, shown) };
}

/** Parses and validates a config file's text; `shown` names it in problems. */
export function parseConfigText(text: string, shown: string): DrainlintConfig {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const where = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${shown}:${line}:${col}`;
  };
  if (!Array.isArray(docs)) return {}; // an empty stream
  const problems: string[] = [];
  for (const doc of docs)
    for (const err of doc.errors)
      problems.push(`${where(err.pos[0])}: YAML syntax error: ${err.message.split("\n")[0]}`);
  if (problems.length) throw new ConfigError(problems);
  if (docs.length > 1)
    throw new ConfigError([
      `${where(docs[1].range[0])}: a config file holds one YAML document; found ${docs.length}`,
    ]);
  const doc = docs[0];
  if (!doc || doc.contents === null) return {};
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError([`${where(0)}: ${(e as Error).message}`]);
  }
  const errors = schemaErrors(value);
  if (errors.length) {
    const locate = (pointer: string, key: boolean): string => {
      const node = nodeAt(doc.contents as YNode, pointer, key);
      return node?.range ? where(node.range[0]) : shown;
    };
    throw new ConfigError(describeErrors(errors, value, locate, sourceText(doc.contents, text)));
  }
  return value as DrainlintConfig;
}

/** Validates an in-memory config object (API callers); throws ConfigError. */
export function validateConfigObject(value: unknown, shown = "config"): DrainlintConfig {
  const errors = schemaErrors(value);
  if (errors.length) throw new ConfigError(describeErrors(errors, value, () => shown, null));
  return (value ?? {}) as DrainlintConfig;
}

function schemaErrors(value: unknown): SchemaError[] {
  if (value === null || value === undefined) return [];
  const fn = validate as ((v: unknown) => boolean) & { errors?: SchemaError[] | null };
  return fn(value) ? [] : (fn.errors ?? []);
}

function sourceText(root: unknown, text: string): (pointer: string) => string | null {
  return (pointer) => {
    const node = nodeAt(root as YNode, pointer, false);
    return node && isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]) : null;
  };
}

function segments(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The YAML node at a JSON pointer: the key node of the last segment when `key`. */
function nodeAt(root: YNode | null, pointer: string, key: boolean): YNode | null {
  let node: unknown = root;
  const segs = segments(pointer);
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === seg);
      if (!pair) return null;
      if (key && i === segs.length - 1) return pair.key as YNode;
      node = pair.value;
    } else if (isSeq(node)) node = node.items[Number(seg)];
    else return null;
  }
  return (node as YNode) ?? null;
}

/** `rules.readiness-probe-missing`, `ignorePaths[1]`, or `(top level)`. */
function keyPath(segs: string[]): string {
  let out = "";
  for (const s of segs) out += /^\d+$/.test(s) ? `[${s}]` : out ? `.${s}` : s;
  return out || "(top level)";
}

function schemaAt(segs: string[]): JsonSchema | undefined {
  let s: JsonSchema | undefined = SCHEMA;
  for (const seg of segs) s = /^\d+$/.test(seg) ? s?.items : s?.properties?.[seg];
  return s;
}

function getAt(value: unknown, segs: string[]): unknown {
  let v = value;
  for (const s of segs)
    v = v && typeof v === "object" ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

function describeValue(v: unknown, source: string | null): string {
  if (v === null) return source ? `null (${JSON.stringify(source)})` : "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  const shown = source && source !== String(v) ? `${source}, read as ${String(v)}` : String(v);
  return `the ${typeof v} ${shown}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  null: "nothing",
};

function describeErrors(
  errors: SchemaError[],
  value: unknown,
  locate: (pointer: string, key: boolean) => string,
  sourceOf: ((pointer: string) => string | null) | null,
): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    const segs = segments(err.instancePath);
    let line: string;
    if (err.keyword === "additionalProperties") {
      const key = String(err.params.additionalProperty);
      const pointer = `${err.instancePath}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      const known = Object.keys(schemaAt(segs)?.properties ?? {}).filter((k) => k !== "$schema");
      const hint = suggest(key, known);
      const what =
        segs.length === 1 && segs[0] === "rules"
          ? `unknown rule id; expected one of the ids drainlint --list-rules prints`
          : `unknown key; expected one of ${known.join(", ")}`;
      line = `${locate(pointer, true)}: ${keyPath([...segs, key])}: ${what}${hint ? `; did you mean "${hint}"?` : ""}`;
    } else {
      const v = getAt(value, segs);
      const got = describeValue(v, sourceOf?.(err.instancePath) ?? null);
      const s = schemaAt(segs);
      let expected: string;
      let hint = "";
      if (err.keyword === "enum") {
        const allowed = (err.params.allowedValues as string[]) ?? s?.enum ?? [];
        expected = `one of ${allowed.join(", ")}`;
        const near = typeof v === "string" ? suggest(v, allowed) : v === false ? "off" : null;
        if (near) hint = `; did you mean "${near}"?`;
      } else if (err.keyword === "type") {
        const types = ([] as string[]).concat(s?.type ?? (err.params.type as string));
        expected = types
          .filter((t) => t !== "null")
          .map((t) => TYPE_NAMES[t] ?? t)
          .join(" or ");
        if (segs[0] === "kubernetesVersion" && typeof v === "number")
          hint = `; quote it, as in kubernetesVersion: "1.30" (unquoted, YAML reads 1.30 as the number 1.3)`;
        else if (segs[0] === "budget" && typeof v === "string" && /^\d+(\.\d+)?s?$/.test(v.trim()))
          hint = `; write the number of seconds without quotes or unit, as in ${segs[1]}: ${v.trim().replace(/s$/, "")}`;
        else if (segs[0] === "ignorePaths" && typeof v === "string")
          hint = `; write a list, as in ignorePaths: [${JSON.stringify(v)}]`;
        if (segs[0] === "budget" && segs.length === 2) expected = "a number of seconds";
      } else if (err.keyword === "pattern") {
        expected =
          segs[0] === "kubernetesVersion"
            ? `a Kubernetes minor version like "1.31"`
            : "a non-blank gitignore-style pattern";
        if (segs[0] === "kubernetesVersion" && typeof v === "string") {
          const m = /^v?(1\.\d+)(\.\d+)?$/.exec(v.trim());
          if (m) hint = `; did you mean "${m[1]}"?`;
        }
      } else if (err.keyword === "minimum") {
        expected = `a number of seconds, 0 or more`;
      } else expected = `a valid value (${err.keyword})`;
      line = `${locate(err.instancePath, false)}: ${keyPath(segs)}: expected ${expected}, got ${got}${hint}`;
    }
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}
