/**
 * The lexer-level prefilter (SPEC §9): `yaml`'s Parser turns the text into CST tokens (the
 * lexer plus a token tree, about half the cost of a full parse); each document's top-level
 * `apiVersion` and `kind` are read from those tokens, and only the documents the caller
 * wants are composed into nodes. CRDs, ConfigMaps, Secrets… cost a tokenisation, never a
 * composition. Anything the tokens cannot settle (a merge key, tags, anchors, a flow or
 * non-map root, a parser error token) is composed, so the filter only ever skips documents
 * whose kind is certain. Composer-level checks (duplicate keys, indentation) are therefore
 * not run on skipped documents.
 */
import {
  CST,
  Composer,
  Parser,
  type Document,
  type DocumentOptions,
  type ParseOptions,
} from "yaml";
import { lexDocuments } from "./lexscan.js";

/** Decides from a document's top-level `apiVersion` and `kind` whether to compose it. */
export type KeepDocument = (header: DocumentHeader) => boolean;

export interface ComposedDocument {
  /** 0-based index among all the file's documents, skipped ones included. */
  index: number;
  doc: Document.Parsed;
}

export interface SkippedDocument {
  index: number;
  header: DocumentHeader;
  /** [start, end): from the document token to the next one; `contentStart`: its root node. */
  start: number;
  contentStart: number;
  end: number;
}

export interface FilteredParse {
  docs: ComposedDocument[];
  /** [start, end) of every document skipped, in order (for Helm `# Source:` lookups). */
  skipped: SkippedDocument[];
  total: number;
}

const SIMPLE_SCALARS = new Set(["scalar", "single-quoted-scalar", "double-quoted-scalar"]);

/**
 * True when composing a document could report a problem the tokens already show: a parser
 * error token, or a mapping with two keys that may be equal (duplicate keys are errors).
 * Such a document is composed, so its parse-error is reported as without the filter.
 */
function needsComposing(token: unknown, depth = 0): boolean {
  if (!token || typeof token !== "object") return false;
  if (depth > 200) return true;
  const t = token as { type?: string };
  switch (t.type) {
    case "error":
      return true;
    case "document": {
      const d = token as CST.Document;
      if (d.start.some((x) => (x.type as string) === "error")) return true;
      if (d.end?.some((x) => (x.type as string) === "error")) return true;
      return needsComposing(d.value, depth + 1);
    }
    case "block-map":
    case "block-seq":
    case "flow-collection": {
      const c = token as CST.BlockMap | CST.BlockSequence | CST.FlowCollection;
      const isMap =
        c.type === "block-map" || (c.type === "flow-collection" && c.start.source === "{");
      const keys = isMap ? new Set<string>() : null;
      for (const item of c.items as CST.CollectionItem[]) {
        if (item.start.some((x) => (x.type as string) === "error")) return true;
        if (item.sep?.some((x) => (x.type as string) === "error")) return true;
        if (item.key && needsComposing(item.key, depth + 1)) return true;
        if (item.value && needsComposing(item.value, depth + 1)) return true;
        if (keys && item.key) {
          const id = keyIdentity(item.key);
          if (id === null || keys.has(id)) return true;
          keys.add(id);
        }
      }
      return false;
    }
    default:
      return false;
  }
}

/** A key's identity for duplicate detection; null when it cannot be told cheaply. */
function keyIdentity(key: CST.Token): string | null {
  if (!SIMPLE_SCALARS.has(key.type)) return null;
  const src = (key as CST.FlowScalar).source;
  if (key.type === "scalar") {
    // Plain keys the core schema reads as numbers, booleans or null compare by value: all
    // such keys share one identity, so two of them make the map "maybe duplicate".
    return CORE_NON_STRING.some((re) => re.test(src)) ? "\u0000non-string" : `s:${src}`;
  }
  const resolved = CST.resolveAsScalar(key as CST.FlowScalar, true, () => {});
  return resolved ? `s:${resolved.value}` : null;
}

/** What composing would give for the fields the engine counts a skipped object by. */
export interface DocumentHeader {
  apiVersion: string | null;
  kind: string | null;
  name: string | null;
  namespace: string | null;
}

// The core schema's non-string plain scalars (yaml's core tags): such a value is no string.
const CORE_NON_STRING = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^[-+]?[0-9]+$/,
  /^0o[0-7]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/,
];

const UNCERTAIN = Symbol("uncertain");
const BLOCK_SEPARATORS = new Set(["space", "newline", "comment"]);
const FLOW_SEPARATORS = new Set(["space", "newline", "comment", "comma"]);

/** The string value of a scalar value token, null when it is no string, UNCERTAIN otherwise. */
function stringValue(
  sep: CST.SourceToken[] | undefined,
  v: CST.Token | undefined,
): string | null | typeof UNCERTAIN {
  if (sep?.some((t) => t.type === "anchor" || t.type === "tag")) return UNCERTAIN;
  if (!v) return null;
  if (!SIMPLE_SCALARS.has(v.type)) return UNCERTAIN;
  const scalar = CST.resolveAsScalar(v as CST.FlowScalar, true, () => {});
  if (!scalar) return UNCERTAIN;
  if (v.type === "scalar" && CORE_NON_STRING.some((re) => re.test(scalar.value))) return null;
  return scalar.value;
}

/**
 * The `wanted` keys of a block map with their string values, or null when the tokens cannot
 * say for certain what composing would give (merge keys, aliases, tags, duplicates…).
 */
function readMap(
  map: CST.Token | undefined,
  wanted: readonly string[],
  nested: Record<string, readonly string[]> = {},
): Record<string, unknown> | null {
  // A block map, or a flow map (`metadata: { name: x }`) whose items are separated by commas.
  const flow = map?.type === "flow-collection" && map.start.source === "{";
  if (!map || (map.type !== "block-map" && !flow)) return null;
  const separators = flow ? FLOW_SEPARATORS : BLOCK_SEPARATORS;
  const found: Record<string, unknown> = {};
  for (const item of (map as CST.BlockMap | CST.FlowCollection).items as CST.CollectionItem[]) {
    if (!item.key || ("explicitKey" in item && item.explicitKey)) return null;
    if (item.start.some((t) => !separators.has(t.type))) return null;
    if (!SIMPLE_SCALARS.has(item.key.type)) return null; // alias, collection or block scalar key
    const key = CST.resolveAsScalar(item.key as CST.FlowScalar, true, () => {});
    if (!key) return null;
    if (key.value === "<<") return null; // a merge key may bring any key in
    const inner = nested[key.value];
    if (!inner && !wanted.includes(key.value)) continue;
    if (key.value in found) return null; // a duplicate: composing reports it
    if (inner) {
      if (item.sep?.some((t) => t.type === "anchor" || t.type === "tag")) return null;
      const sub = item.value ? readMap(item.value, inner) : {};
      if (!sub) return null;
      found[key.value] = sub;
      continue;
    }
    const value = stringValue(item.sep, item.value);
    if (value === UNCERTAIN) return null;
    found[key.value] = value;
  }
  return found;
}

/**
 * apiVersion, kind, metadata.name and metadata.namespace read from a document's tokens, or
 * null when the tokens cannot say for certain what composing would give (then the caller
 * composes the document).
 */
export function documentHeader(doc: CST.Document): DocumentHeader | null {
  if (doc.start.some((t) => t.type === "anchor" || t.type === "tag")) return null;
  const top = readMap(doc.value, ["apiVersion", "kind"], { metadata: ["name", "namespace"] });
  if (!top) return null;
  const md = (top.metadata ?? {}) as Record<string, string | null>;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    apiVersion: str(top.apiVersion),
    kind: str(top.kind),
    name: str(md.name),
    namespace: str(md.namespace),
  };
}

const DOC_START = /^---(?=[ \t\r\n]|$)/m;
const CUT_STOPPERS = /^(?:\.\.\.|%)/m;
const BLANK_OR_COMMENTS = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*(?:#[^\n]*)?$/;
const TOP_API_VERSION = /^apiVersion:[ \t]+([\w./-]+)[ \t]*(?:#.*)?\r?$/gm;
const TOP_KIND = /^kind:[ \t]+(\w+)[ \t]*(?:#.*)?\r?$/gm;

/** The one plain value of a column-0 key in `part`, or null (none, several, or unusual). */
function onlyMatch(re: RegExp, part: string): string | null {
  let value: string | null = null;
  for (const m of part.matchAll(re)) {
    if (value !== null) return null;
    value = m[1];
  }
  return value;
}

/**
 * True when every `---`-separated part of the text is blank or holds one column-0
 * `apiVersion` and one `kind` written as plain words that `keep` accepts: such a file would
 * be composed whole, so the lexer tier is skipped. A wrong guess only costs time, never
 * correctness: the token tier still reads each document's header and decides.
 */
export function allPlainlyWanted(source: string, keep: KeepDocument): boolean {
  if (CUT_STOPPERS.test(source)) return false;
  for (const part of source.split(DOC_START)) {
    if (BLANK_OR_COMMENTS.test(part)) continue;
    const apiVersion = onlyMatch(TOP_API_VERSION, part);
    const kind = onlyMatch(TOP_KIND, part);
    if (apiVersion === null || kind === null) return false;
    if (!keep({ apiVersion, kind, name: null, namespace: null })) return false;
  }
  return true;
}

/**
 * Parses `source` like `parseAllDocuments` would, composing only the documents `keep`
 * accepts (and every one whose header is uncertain). `onNewLine` sees every line.
 */
export function parseFiltered(
  source: string,
  options: ParseOptions & DocumentOptions & { merge?: boolean; uniqueKeys?: boolean },
  onNewLine: ((offset: number) => void) | undefined,
  keep: KeepDocument,
): FilteredParse {
  const composer = new Composer(options);
  const docs: ComposedDocument[] = [];
  const skipped: FilteredParse["skipped"] = [];
  const pendingIndexes: number[] = [];
  const collect = (it: Iterable<Document.Parsed>) => {
    for (const doc of it) docs.push({ index: pendingIndexes.shift()!, doc });
  };
  let index = -1;
  let sawDirective = false;
  /** True while the tokens after a skipped document (its `...`, errors) are dropped too. */
  let skipping = false;
  let open: Omit<SkippedDocument, "end"> | null = null;
  const closeSkipped = (end: number) => {
    if (open) skipped.push({ ...open, end });
    open = null;
  };
  const handle = (token: CST.Token) => {
    if (token.type === "document") {
      closeSkipped(token.offset);
      index++;
      // A wanted document is composed anyway: only a skip needs the (tree-wide) error check.
      const header = sawDirective ? null : documentHeader(token);
      if (header && !keep(header) && !needsComposing(token)) {
        skipping = true;
        open = { index, header, start: token.offset, contentStart: token.value!.offset };
        return;
      }
      skipping = false;
      pendingIndexes.push(index);
      collect(composer.next(token));
      return;
    }
    if (skipping) {
      if (token.type === "doc-end" || token.type === "error") return;
      if (token.type === "directive") skipping = false;
      else return;
    }
    // A directive (%YAML 1.1 changes what plain scalars mean): no filtering in this file.
    if (token.type === "directive") sawDirective = true;
    collect(composer.next(token));
  };
  // The lexer tier settles most documents; the others get CST tokens, parsed from their own
  // slice of the text (offsets kept), and the token tier decides. A file whose documents all
  // plainly name a wanted kind would be lexed twice for nothing: it goes to the parser.
  const lexed = allPlainlyWanted(source, keep) ? null : lexDocuments(source);
  if (!lexed) {
    for (const token of new Parser(onNewLine).parse(source)) handle(token);
  } else {
    for (const d of lexed) {
      if (d.header && !keep(d.header)) {
        closeSkipped(d.start);
        index++;
        skipping = true;
        open = { index, header: d.header, start: d.start, contentStart: d.contentStart };
        continue;
      }
      // The lexer tier's lexemes of this document: the parser does not lex it again.
      const parser = new Parser();
      parser.offset = d.start;
      for (const lexeme of d.lexemes) for (const token of parser.next(lexeme)) handle(token);
      for (const token of parser.end()) handle(token);
    }
    if (onNewLine) {
      onNewLine(0);
      for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) onNewLine(i + 1);
    }
  }
  closeSkipped(source.length);
  collect(composer.end(false, source.length));
  return { docs, skipped, total: index + 1 };
}
