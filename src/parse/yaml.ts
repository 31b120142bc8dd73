/**
 * YAML (and JSON) files into documents with positions. `yaml`'s parser composes each
 * document; offsets index into the text as read (BOM stripped by the reader).
 * Helm `--dry-run` output is masked so its status and values sections are never parsed
 * (DOMAIN.md §6), keeping every offset and line number of the original.
 */
import {
  isCollection,
  LineCounter,
  parseAllDocuments,
  visit,
  YAMLParseError,
  type Document,
  type Node as YNode,
} from "yaml";
import {
  parseFiltered,
  type DocumentHeader,
  type FilteredParse,
  type KeepDocument,
} from "./prefilter.js";

export interface YamlParseError {
  message: string;
  offset: number;
  line: number;
  column: number;
}

export interface YamlDoc {
  /** 0-based index among the file's documents. */
  index: number;
  doc: Document.Parsed;
  contents: YNode | null;
  /** `# Source: chart/templates/x.yaml` of Helm-rendered output, else null. */
  helmSource: string | null;
  /** The first error of this document (errors cascading from it are not repeated), else null. */
  error: YamlParseError | null;
}

export interface ParsedYaml {
  text: string;
  lineCounter: LineCounter;
  docs: YamlDoc[];
  /** True when the file was `helm install|upgrade --dry-run` output. */
  helmDryRun: boolean;
  /** Documents the `keep` filter left uncomposed (counted as objects, never linted). */
  skipped: SkippedYamlDoc[];
}

export interface SkippedYamlDoc extends DocumentHeader {
  index: number;
  helmSource: string | null;
}

const SOURCE_RE = /^#\s*Source:\s*(\S.*?)\s*$/m;

/**
 * Masks the non-YAML parts of `helm install|upgrade --dry-run [--debug]` output with spaces
 * (newlines kept), so only the documents under HOOKS: and MANIFEST: are parsed. Returns null
 * when the text is not such output.
 */
export function maskHelmDryRun(text: string): string | null {
  if (!text.includes("MANIFEST:")) return null; // 2 times faster than the pattern alone
  if (!/^MANIFEST:[ \t]*\r?$/m.test(text) || !/^NAME:[ \t]/m.test(text)) return null;
  const lines = text.split(/(?<=\n)/);
  let inYaml = false;
  let out = "";
  for (const line of lines) {
    const bare = line.replace(/\r?\n$/, "");
    if (/^(HOOKS|MANIFEST):[ \t]*$/.test(bare)) {
      inYaml = true;
      out += blank(line);
    } else if (/^(NOTES|USER-SUPPLIED VALUES|COMPUTED VALUES):[ \t]*$/.test(bare)) {
      inYaml = false;
      out += blank(line);
    } else {
      out += inYaml ? line : blank(line);
    }
  }
  return out;
}

function blank(line: string): string {
  return line.replace(/[^\r\n]/g, " ");
}

/**
 * With `keep`, only the documents it accepts (by top-level apiVersion and kind, read from
 * the tokens; see prefilter.ts) are composed; `index` still counts every document. A file
 * where a composed document has an error is parsed again in full, so error recovery and
 * reporting are the same with or without the filter.
 */
export function parseYaml(text: string, opts: { keep?: KeepDocument } = {}): ParsedYaml {
  const masked = maskHelmDryRun(text);
  const source = masked ?? text;
  let lineCounter = new LineCounter();
  const options = {
    merge: true,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: "error",
  } as const;
  let list: Document.Parsed[] | null = null;
  let indexes: number[] | null = null;
  let skipped: FilteredParse["skipped"] = [];
  let cuts: (number | null)[] | null = null;
  if (opts.keep) {
    const filtered = withinStack(() =>
      parseFiltered(source, options, lineCounter.addNewLine, opts.keep!),
    );
    // A skipped document that runs past a `---` line swallowed others (an unclosed quote):
    // such a file is parsed whole, so the error is reported and the rest recovered.
    const swallowed = filtered?.skipped.some((d) => hasMarkerInside(source, d.start, d.end));
    if (filtered && !swallowed && filtered.docs.every((d) => d.doc.errors.length === 0)) {
      list = filtered.docs.map((d) => d.doc);
      indexes = filtered.docs.map((d) => d.index);
      skipped = filtered.skipped;
    } else lineCounter = new LineCounter();
  }
  if (!list) {
    const guarded = parseAllGuarded(source);
    lineCounter = guarded.lineCounter;
    const recovered = recoverDocuments(source, guarded.docs);
    list = recovered.map((r) => r.doc);
    cuts = recovered.map((r) => r.cut);
  }
  const docs: YamlDoc[] = [];
  let prevEnd = 0;
  let nextSkipped = 0;
  const skippedDocs: SkippedYamlDoc[] = [];
  // A skipped document ends where the next token begins: `# Source:` is searched after it.
  const flushSkipped = (before: number) => {
    for (; nextSkipped < skipped.length && skipped[nextSkipped].index < before; nextSkipped++) {
      const s = skipped[nextSkipped];
      const m = SOURCE_RE.exec(source.slice(Math.min(prevEnd, s.contentStart), s.contentStart));
      skippedDocs.push({ index: s.index, ...s.header, helmSource: m ? m[1] : null });
      prevEnd = Math.max(prevEnd, s.end);
    }
  };
  for (const [i, doc] of list.entries()) {
    const index = indexes ? indexes[i] : docs.length;
    flushSkipped(index);
    const contents = (doc.contents as YNode | null) ?? null;
    const start = contents?.range?.[0] ?? doc.range[0];
    const head = source.slice(prevEnd, Math.max(start, prevEnd));
    const m = SOURCE_RE.exec(head);
    const first = doc.errors[0];
    const cut = cuts?.[i] ?? null;
    let error: YamlParseError | null = null;
    if (first) {
      let offset = Math.min(first.pos[0], source.length);
      const ranPast = cut !== null && offset >= cut;
      if (ranPast) offset = nodeSpanning(doc, cut) ?? offset;
      const { line, col } = lineCounter.linePos(offset);
      // yaml reports a stack overflow on very deep nesting as RESOURCE_EXHAUSTION; say what it means.
      const message =
        first.code === "RESOURCE_EXHAUSTION" && /call stack/i.test(first.message)
          ? "the document is nested too deeply to be read (hundreds of levels; no Kubernetes object is)"
          : first.code === "DUPLICATE_KEY"
            ? `duplicate key "${keyTextAt(source, first.pos[0])}" (the YAML spec forbids it and Kubernetes rejects it; which value would apply is undefined)`
            : cleanMessage(first.message);
      const where = ranPast
        ? ` (unclosed, it runs past the --- on line ${lineCounter.linePos(cut).line})`
        : "";
      error = { message: message + where, offset, line, column: col };
    }
    docs.push({ index, doc, contents, helmSource: m ? m[1] : null, error });
    prevEnd = doc.range[2] ?? doc.range[1];
  }
  flushSkipped(Infinity);
  return { text, lineCounter, docs, helmDryRun: masked !== null, skipped: skippedDocs };
}

/** `yaml` messages end with " at line N, column M:" and a code frame; keep the sentence. */
function cleanMessage(message: string): string {
  const firstLine = message.split("\n")[0];
  return firstLine.replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
}

/**
 * Offset of the first mapping key that is itself a collection (`name: {{ x }}` parses as a
 * flow map used as a key), else null. Kubernetes' decoder rejects such keys.
 */
export function collectionKeyOffset(doc: Document.Parsed): number | null {
  let found: number | null = null;
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        found = (pair.key as YNode).range?.[0] ?? 0;
        return visit.BREAK;
      }
    },
  });
  return found;
}

const PARSE_OPTIONS = {
  merge: true,
  prettyErrors: false,
  uniqueKeys: true,
  logLevel: "error",
} as const;

const DOC_MARKER = /^---(?=[ \t]|\r?$)/gm;

/** `f()`, or null when it overflows the stack (yaml's CST parser recurses per nesting level). */
function withinStack<T>(f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/**
 * `parseAllDocuments`, except that a document nested deeper than the stack allows becomes an
 * empty document with one RESOURCE_EXHAUSTION error instead of an exception for the whole
 * file: yaml's composer reports such overflows, its CST parser throws them. Then each part
 * between `---` lines is tried alone and the parts that overflow are blanked (offsets and
 * lines kept) before the whole is parsed again.
 */
function parseAllGuarded(source: string): { docs: Document.Parsed[]; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const first = withinStack(() => parseAllDocuments(source, { lineCounter, ...PARSE_OPTIONS }));
  if (first) return { docs: Array.isArray(first) ? first : [], lineCounter };
  const starts = [0];
  for (const m of source.matchAll(DOC_MARKER)) if (m.index > 0) starts.push(m.index);
  const pieces: string[] = [];
  const deep: number[] = [];
  starts.forEach((start, i) => {
    const part = source.slice(start, starts[i + 1] ?? source.length);
    // Alone, a part may parse with the composer's RESOURCE_EXHAUSTION error instead: blanked too,
    // since the parser can still overflow on it when the next document follows.
    const alone = withinStack(() => parseAllDocuments(part, PARSE_OPTIONS));
    const tooDeep = (d: Document.Parsed) => d.errors.some((e) => e.code === "RESOURCE_EXHAUSTION");
    if (alone && !(Array.isArray(alone) && alone.some(tooDeep))) return void pieces.push(part);
    // Keep the `---` line; a `~` keeps a document here to carry the error.
    const marker = /^---[^\n]*\n?/.exec(part)?.[0] ?? "";
    const rest = blank(part.slice(marker.length));
    const at = start + marker.length;
    deep.push(at);
    pieces.push(
      marker +
        (rest.length > 0 && rest[0] !== "\n" && rest[0] !== "\r" ? "~" + rest.slice(1) : rest),
    );
  });
  const lc = new LineCounter();
  const again = withinStack(() =>
    parseAllDocuments(pieces.join(""), { lineCounter: lc, ...PARSE_OPTIONS }),
  );
  const docs = again && Array.isArray(again) ? again : [];
  for (const at of deep) {
    const doc =
      docs.find((d) => d.range[0] <= at && at <= d.range[2]) ?? docs.find((d) => d.range[0] >= at);
    doc?.errors.unshift(
      new YAMLParseError([at, at + 1], "RESOURCE_EXHAUSTION", "Maximum call stack size exceeded"),
    );
  }
  return { docs, lineCounter: lc };
}

interface Recovered {
  doc: Document.Parsed;
  /** Offset of the `---` line this broken document ran past, else null. */
  cut: number | null;
}

/**
 * `yaml` lets an unclosed quote or flow run on past a `---` line, swallowing the documents
 * after it; Kubernetes tools split on `---` first (DOMAIN.md §6). When a broken document
 * spans a marker, the text from that marker on is parsed again (earlier text blanked, so
 * offsets and lines are kept) and its documents replace the swallowed ones.
 */
function recoverDocuments(source: string, docs: Document.Parsed[], depth = 0): Recovered[] {
  const out: Recovered[] = [];
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i];
    out.push({ doc, cut: null });
    if (doc.errors.length === 0 || depth > 1000) continue;
    const end = docs[i + 1]?.range[0] ?? source.length;
    DOC_MARKER.lastIndex = doc.range[0] + 1;
    const m = DOC_MARKER.exec(source);
    if (!m || m.index >= end || m.index <= doc.range[0]) continue;
    out[out.length - 1].cut = m.index;
    const rest = blank(source.slice(0, m.index)) + source.slice(m.index);
    const again = parseAllGuarded(rest).docs;
    const reparsed = again.filter((d) => d.range[2] > m.index);
    return [...out, ...recoverDocuments(rest, reparsed, depth + 1)];
  }
  return out;
}

/** Start of the innermost node that runs across `cut` (the unclosed quote or bracket). */
function nodeSpanning(doc: Document.Parsed, cut: number): number | null {
  let found: number | null = null;
  visit(doc, (_, node) => {
    const r = (node as YNode).range;
    if (r && r[0] < cut && r[1] > cut) found = r[0];
  });
  return found;
}

function hasMarkerInside(source: string, start: number, end: number): boolean {
  DOC_MARKER.lastIndex = start + 1;
  const m = DOC_MARKER.exec(source);
  return m !== null && m.index < end;
}

/** The key written at `offset` (yaml's duplicate-key error points at its first character). */
export function keyTextAt(source: string, offset: number): string {
  const m = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:\n#]*?)[ \t]*:(?:[ \t]|\r?$)/m.exec(
    source.slice(offset, offset + 300),
  );
  const key = m ? m[1] : source.slice(offset, offset + 40).split(/[\r\n]/)[0];
  return /^["']/.test(key) ? key.slice(1, -1) : key;
}
