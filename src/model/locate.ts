/**
 * Positions for model paths. A path is a list of map keys and sequence indexes from the
 * document root; lookups follow aliases and merge keys (`<<: *defaults`) as Kubernetes'
 * decoder does, so `at(path)` finds the node whose value the model used.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type LineCounter,
  type Node as YNode,
  type Pair,
} from "yaml";
import type { Span } from "../types.js";

export type Path = ReadonlyArray<string | number>;

export interface Located {
  /** The key node (absent for sequence items and the root). */
  key: YNode | null;
  /** The value node (null for `key:` with no value). */
  value: YNode | null;
  /** True when the walk passed through an alias or merge key: an edit here would change other places. */
  shared: boolean;
}

const MAX_ALIAS_HOPS = 64;

export function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === "symbol" || key.source === "<<");
}

export function keyString(key: unknown): string | null {
  if (isScalar(key)) {
    const v = key.value;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (v === null) return "null";
  }
  return null;
}

export class Locator {
  constructor(
    readonly doc: Document.Parsed,
    readonly lineCounter: LineCounter,
    /** Root node of the object (the document root, or a `List` item). */
    readonly root: YNode | null,
    /** Path of `root` in the document, prefixed to spans' meaning only. */
    readonly rootPath: Path = [],
  ) {}

  /** An alias resolves to its anchored node (bounded, so a cycle cannot hang). */
  deref(node: unknown): YNode | null {
    let n = node;
    for (let i = 0; i < MAX_ALIAS_HOPS && isAlias(n); i++) n = n.resolve(this.doc);
    return (n as YNode | null) ?? null;
  }

  private pairIn(map: YNode, key: string, depth = 0): { pair: Pair; shared: boolean } | null {
    if (!isMap(map) || depth > 8) return null;
    let merged: { pair: Pair; shared: boolean } | null = null;
    for (const pair of map.items) {
      if (keyString(pair.key) === key && !isMergeKey(pair.key)) return { pair, shared: false };
    }
    // Explicit keys win over merged ones; earlier merge sources win over later ones.
    for (const pair of map.items) {
      if (!isMergeKey(pair.key)) continue;
      const sources = isSeq(this.deref(pair.value))
        ? (this.deref(pair.value) as { items: unknown[] }).items
        : [pair.value];
      for (const src of sources) {
        const target = this.deref(src);
        if (!target) continue;
        const found = this.pairIn(target, key, depth + 1);
        if (found) {
          merged = { pair: found.pair, shared: true };
          break;
        }
      }
      if (merged) break;
    }
    return merged;
  }

  /** The node at `path` (relative to the root), or null when a segment is missing. */
  find(path: Path): Located | null {
    let current: YNode | null = this.root;
    let located: Located = { key: null, value: current, shared: false };
    for (const seg of path) {
      const node = this.deref(current);
      if (node !== current) located.shared = true;
      if (node === null) return null;
      if (typeof seg === "number") {
        if (!isSeq(node)) return null;
        const item = node.items[seg];
        if (item === undefined) return null;
        located = { key: null, value: item as YNode, shared: located.shared };
        current = item as YNode;
      } else {
        const found = this.pairIn(node, seg);
        if (!found) return null;
        located = {
          key: found.pair.key as YNode,
          value: (found.pair.value as YNode | null) ?? null,
          shared: located.shared || found.shared,
        };
        current = located.value;
      }
    }
    if (isAlias(located.value)) located.shared = true;
    return located;
  }

  /** The value node at `path`, aliases resolved. */
  valueAt(path: Path): YNode | null {
    const f = this.find(path);
    return f ? this.deref(f.value) : null;
  }

  spanOf(start: number, end: number): Span {
    const a = this.lineCounter.linePos(start);
    const b = this.lineCounter.linePos(end);
    return {
      line: a.line,
      column: a.col,
      endLine: b.line,
      endColumn: b.col,
      offset: start,
      endOffset: end,
    };
  }

  nodeSpan(node: YNode): Span {
    const r = node.range ?? [0, 0, 0];
    return this.spanOf(r[0], r[1]);
  }

  /**
   * Span of a present field: its key, extended to the value's end when the value is a
   * scalar (`terminationGracePeriodSeconds: 10`), else the key alone (a block value's key line).
   */
  at(path: Path): Span | null {
    const f = this.find(path);
    if (!f) return null;
    if (!f.key) return f.value ? this.entrySpanOfNode(f.value) : null;
    const kr = f.key.range;
    if (!kr) return null;
    const value = f.value;
    if (value && (isScalar(value) || isAlias(value)) && value.range) {
      const end = value.range[1];
      const sameLine = this.lineCounter.linePos(end).line === this.lineCounter.linePos(kr[0]).line;
      if (sameLine) return this.spanOf(kr[0], end);
    }
    return this.spanOf(kr[0], kr[1]);
  }

  /** The entry of a sequence item: for a mapping, its first key (and scalar value). */
  private entrySpanOfNode(node: YNode): Span {
    const n = this.deref(node) ?? node;
    if (isMap(n) && n.items.length > 0) {
      const first = n.items[0];
      if (isPair(first) && (first.key as YNode)?.range) {
        const kr = (first.key as YNode).range!;
        const v = first.value as YNode | null;
        if (v && isScalar(v) && v.range) {
          const end = v.range[1];
          if (this.lineCounter.linePos(end).line === this.lineCounter.linePos(kr[0]).line)
            return this.spanOf(kr[0], end);
        }
        return this.spanOf(kr[0], kr[1]);
      }
    }
    return this.nodeSpan(node);
  }

  /** Span of a container entry (or any sequence item): the line of its first key. */
  entry(path: Path): Span | null {
    const f = this.find(path);
    // An alias (`- *web`) is this object's entry; its fields stand at the anchor.
    if (f?.value && isAlias(f.value)) return this.nodeSpan(f.value);
    return f?.value ? this.entrySpanOfNode(f.value) : null;
  }

  /** The span of the nearest existing prefix of `path` (for a missing field). */
  nearest(path: Path): Span {
    for (let n = path.length; n > 0; n--) {
      const prefix = path.slice(0, n);
      const last = prefix[prefix.length - 1];
      const s = typeof last === "number" ? this.entry(prefix) : this.at(prefix);
      if (s) return s;
    }
    return this.rootSpan();
  }

  rootSpan(): Span {
    if (this.root) return this.entrySpanOfNode(this.root);
    return this.spanOf(this.doc.range[0], this.doc.range[0]);
  }
}
