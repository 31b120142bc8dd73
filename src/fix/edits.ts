/**
 * Minimal edits for autofixes, as byte ranges over the original text (STYLE.md: splice,
 * never re-serialise). A changed scalar keeps its quoting; an inserted key goes on a new line
 * after the mapping's last entry at its siblings' column (2 or 4 spaces, indented or flush
 * sequences alike) and a nested value uses the file's own indentation step; flow maps and
 * JSON get `, key: value` in their own layout; the line ending of the surrounding line is
 * reused (CRLF survives). Nothing is edited through an alias or merge key, nor inside an
 * anchored node that an alias repeats: that would change every place sharing the node.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Scalar,
  stringify,
  visit,
  type Document,
  type Node as YNode,
} from "yaml";
import type { Edit } from "../types.js";
import type { Locator, Path } from "../model/locate.js";

/** A value an edit can write: a scalar, or nested mappings of scalars (`{ sleep: { seconds: 5 } }`). */
export type FixValue = string | number | boolean | { [key: string]: FixValue };

const aliasNames = new WeakMap<Document, Set<string>>();

function aliasesOf(doc: Document): Set<string> {
  let names = aliasNames.get(doc);
  if (!names) {
    const found = new Set<string>();
    visit(doc, {
      Alias(_, node) {
        found.add(node.source);
      },
    });
    names = found;
    aliasNames.set(doc, names);
  }
  return names;
}

/**
 * True when an edit at `path` would reach other places: the walk passes through an alias
 * or merge key, or a node on the way carries an anchor that some alias repeats.
 */
export function isShared(loc: Locator, path: Path): boolean {
  const aliases = aliasesOf(loc.doc);
  const anchored = (n: YNode | null) =>
    Boolean(
      n && (n as { anchor?: string }).anchor && aliases.has((n as { anchor: string }).anchor),
    );
  if (anchored(loc.root)) return true;
  for (let i = 1; i <= path.length; i++) {
    const f = loc.find(path.slice(0, i));
    if (!f) return false;
    if (f.shared || anchored(f.value)) return true;
  }
  return false;
}

function renderScalar(value: string | number | boolean, node: Scalar | null, json: boolean) {
  if (typeof value !== "string") return String(value);
  if (json || node?.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (node?.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  // A plain string that would read back as something else (a number, `true`, `1.30`) is quoted.
  return stringify(value).trimEnd();
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** The line ending of the line holding `offset` (the file's first one on its last line). */
function eolAt(text: string, offset: number): string {
  const nl = text.indexOf("\n", offset);
  if (nl > 0) return text[nl - 1] === "\r" ? "\r\n" : "\n";
  const any = text.indexOf("\n");
  return any > 0 && text[any - 1] === "\r" ? "\r\n" : "\n";
}

/** End offset of the last content (not comments) of a block node. */
function contentEnd(node: YNode | null): number | null {
  if (!node || !node.range) return null;
  if (isMap(node) && !node.flow) {
    const last = node.items[node.items.length - 1];
    if (!last) return node.range[1];
    return contentEnd(last.value as YNode | null) ?? (last.key as YNode | null)?.range?.[1] ?? null;
  }
  if (isSeq(node) && !node.flow) {
    const last = node.items[node.items.length - 1] as YNode | undefined;
    return last ? contentEnd(last) : node.range[1];
  }
  return node.range[1];
}

/** Columns between a key and its nested block map's keys in this file (2 when none is found). */
function indentStep(loc: Locator, text: string): number {
  let step = 0;
  visit(loc.doc, {
    Pair(_, pair) {
      const k = pair.key as YNode | null;
      const v = pair.value as YNode | null;
      if (!isMap(v) || v.flow || !k?.range || !v.items[0]) return undefined;
      const firstKey = v.items[0].key as YNode | null;
      if (!firstKey?.range) return undefined;
      const d = columnOf(text, firstKey.range[0]) - columnOf(text, k.range[0]);
      if (d > 0 && lineStart(text, firstKey.range[0]) !== lineStart(text, k.range[0])) {
        step = d;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return step || 2;
}

function renderFlow(value: FixValue, json: boolean, spaced: boolean): string {
  if (typeof value !== "object") return renderScalar(value, null, json);
  const inner = Object.entries(value)
    .map(([k, v]) => `${json ? JSON.stringify(k) : k}: ${renderFlow(v, json, spaced)}`)
    .join(", ");
  return spaced && inner ? `{ ${inner} }` : `{${inner}}`;
}

/** `key: value` for a block map at `column`; nested maps go one `step` deeper per level. */
function renderBlockPair(
  key: string,
  value: FixValue,
  column: number,
  step: number,
  eol: string,
): string {
  if (typeof value !== "object") return `${key}: ${renderScalar(value, null, false)}`;
  const entries = Object.entries(value);
  if (entries.length === 0) return `${key}: {}`;
  const pad = " ".repeat(column + step);
  return (
    `${key}:` +
    entries
      .map(([k, v]) => `${eol}${pad}${renderBlockPair(k, v, column + step, step, eol)}`)
      .join("")
  );
}

/** Replace the scalar at `path` (which must exist and not be shared); a number is written plain. */
export function setScalarEdit(
  loc: Locator,
  path: Path,
  value: string | number | boolean,
  json = false,
): Edit | null {
  const f = loc.find(path);
  if (!f || !f.value || !isScalar(f.value) || !f.value.range || isShared(loc, path)) return null;
  const node: Scalar = f.value;
  if (!node.range) return null;
  // A block scalar's range swallows its line break; rewriting it in place is not minimal.
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) return null;
  const [start, end] = node.range;
  const text = renderScalar(value, node, json);
  // `key:` with no value: the null scalar is empty and sits right after the colon.
  if (start === end && node.value === null) return { start, end, text: ` ${text}` };
  return { start, end, text };
}

/**
 * Insert `key: value` into the mapping at `mapPath`. Block maps get a new line after their
 * last entry, at the column of their keys; flow maps (and JSON) get `, key: value` after
 * the last entry, on a new line of its own when the entries are one per line.
 */
export function insertKeyEdit(
  loc: Locator,
  text: string,
  mapPath: Path,
  key: string,
  value: FixValue,
  json = false,
): Edit | null {
  const f = loc.find(mapPath);
  if (!f || isShared(loc, mapPath)) return null;
  const map = f.value as YNode | null;
  if (!map || !isMap(map) || !map.range) return null;
  if (map.items.some((p) => !isScalar(p.key) || !(p.key as YNode).range)) return null;
  if (map.flow) {
    const spaced = /^\{[ \t]/.test(text.slice(map.range[0], map.range[0] + 2));
    const pair = `${json ? JSON.stringify(key) : key}: ${renderFlow(value, json, spaced)}`;
    const last = map.items[map.items.length - 1];
    if (!last) {
      const close = text.lastIndexOf("}", map.range[1]);
      if (close < map.range[0]) return null;
      return { start: close, end: close, text: pair };
    }
    const lastKey = last.key as YNode;
    const lastEnd = (last.value as YNode | null)?.range?.[1] ?? lastKey.range![1];
    const lastKeyLine = lineStart(text, lastKey.range![0]);
    const onOwnLines = /^[ \t]*$/.test(text.slice(lastKeyLine, lastKey.range![0]));
    if (onOwnLines) {
      const column = columnOf(text, lastKey.range![0]);
      return {
        start: lastEnd,
        end: lastEnd,
        text: `,${eolAt(text, lastEnd)}${" ".repeat(column)}${pair}`,
      };
    }
    return { start: lastEnd, end: lastEnd, text: `, ${pair}` };
  }
  const first = map.items[0];
  const firstKey = first?.key as YNode | undefined;
  const end = contentEnd(map);
  if (!firstKey?.range || end === null) return null;
  const column = columnOf(text, firstKey.range[0]);
  const step = indentStep(loc, text);
  const pad = " ".repeat(column);
  if (end > 0 && text[end - 1] === "\n") {
    // The last value is a block scalar that owns its final line break: add a whole line after it.
    const eol = eolAt(text, end - 1);
    return {
      start: end,
      end,
      text: `${pad}${renderBlockPair(key, value, column, step, eol)}${eol}`,
    };
  }
  let lineEnd = text.indexOf("\n", end);
  if (lineEnd < 0) lineEnd = text.length;
  else if (text[lineEnd - 1] === "\r") lineEnd--;
  const eol = eolAt(text, end);
  return {
    start: lineEnd,
    end: lineEnd,
    text: `${eol}${pad}${renderBlockPair(key, value, column, step, eol)}`,
  };
}

/** Set the key's scalar when present, else insert it into the parent mapping. */
export function upsertKeyEdit(
  loc: Locator,
  text: string,
  mapPath: Path,
  key: string,
  value: string | number | boolean,
  json = false,
): Edit | null {
  const existing = loc.find([...mapPath, key]);
  if (existing)
    return existing.value && isScalar(existing.value)
      ? setScalarEdit(loc, [...mapPath, key], value, json)
      : null;
  return insertKeyEdit(loc, text, mapPath, key, value, json);
}

/**
 * Replace the entry `oldKey` of the mapping at `mapPath` by `newKey: value`, in place (for
 * example a preStop `exec` handler by a native `sleep`). Block maps get the new entry at
 * the old key's column with the file's indentation step; flow maps and JSON in flow style.
 * Comments inside the replaced value go with it; the rest of the file is untouched.
 */
export function replaceEntryEdit(
  loc: Locator,
  text: string,
  mapPath: Path,
  oldKey: string,
  newKey: string,
  value: FixValue,
  json = false,
): Edit | null {
  const f = loc.find([...mapPath, oldKey]);
  const parent = loc.find(mapPath);
  if (!f?.key?.range || !parent || !isMap(parent.value) || isShared(loc, [...mapPath, oldKey]))
    return null;
  if (isAlias(f.value)) return null;
  const start = f.key.range[0];
  if (parent.value.flow) {
    const end = f.value?.range?.[1] ?? f.key.range[1];
    const spaced = /^\{[ \t]/.test(text.slice(parent.value.range![0], parent.value.range![0] + 2));
    const k = json ? JSON.stringify(newKey) : newKey;
    return { start, end, text: `${k}: ${renderFlow(value, json, spaced)}` };
  }
  let end = contentEnd(f.value) ?? f.key.range[1];
  if (end > start && text[end - 1] === "\n") end -= text[end - 2] === "\r" ? 2 : 1;
  const column = columnOf(text, start);
  return {
    start,
    end,
    text: renderBlockPair(newKey, value, column, indentStep(loc, text), eolAt(text, start)),
  };
}
