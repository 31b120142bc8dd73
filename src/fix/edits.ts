/**
 * Minimal edits for autofixes, as byte ranges over the original text (STYLE.md: splice,
 * never re-serialise). A changed scalar keeps its quoting; an inserted key copies its
 * siblings' indentation (block maps) or the flow style (flow maps and JSON). Nothing is
 * edited through an alias or merge key: that would change every place sharing the node.
 */
import { isMap, isScalar, Scalar, type Node as YNode } from "yaml";
import type { Edit } from "../types.js";
import type { Locator, Path } from "../model/locate.js";

function renderScalar(value: string | number, style: Scalar["type"] | undefined): string {
  const s = String(value);
  if (style === Scalar.QUOTE_DOUBLE) return JSON.stringify(s);
  if (style === Scalar.QUOTE_SINGLE) return `'${s.replace(/'/g, "''")}'`;
  return s;
}

/** Replace the scalar at `path` (which must exist and not be shared). */
export function setScalarEdit(loc: Locator, path: Path, value: string | number): Edit | null {
  const f = loc.find(path);
  if (!f || f.shared || !f.value || !isScalar(f.value) || !f.value.range) return null;
  const [start, end] = f.value.range;
  return { start, end, text: renderScalar(value, f.value.type) };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/**
 * Insert `key: value` into the mapping at `mapPath`. Block maps get a new line before the
 * first key at the same column; flow maps (and JSON) get `, key: value` before the `}`.
 */
export function insertKeyEdit(
  loc: Locator,
  text: string,
  mapPath: Path,
  key: string,
  value: string | number,
  json = false,
): Edit | null {
  const f = loc.find(mapPath);
  if (!f || f.shared) return null;
  const map = f.value as YNode | null;
  if (!map || !isMap(map) || !map.range) return null;
  const k = json ? JSON.stringify(key) : key;
  const v = typeof value === "string" && json ? JSON.stringify(value) : String(value);
  if (map.flow) {
    const close = text.lastIndexOf("}", map.range[1]);
    if (close < map.range[0]) return null;
    const last = map.items[map.items.length - 1];
    if (!last) return { start: close, end: close, text: `${k}: ${v}` };
    const lastEnd = (last.value as YNode | null)?.range?.[1] ?? (last.key as YNode).range![1];
    return { start: lastEnd, end: lastEnd, text: `, ${k}: ${v}` };
  }
  const first = map.items[0];
  const firstKey = first?.key as YNode | undefined;
  if (!firstKey?.range) return null;
  const at = firstKey.range[0];
  const column = at - lineStart(text, at);
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  return { start: at, end: at, text: `${k}: ${v}${eol}${" ".repeat(column)}` };
}

/** Set the key's scalar when present, else insert it into the parent mapping. */
export function upsertKeyEdit(
  loc: Locator,
  text: string,
  mapPath: Path,
  key: string,
  value: number,
  json = false,
): Edit | null {
  const existing = loc.find([...mapPath, key]);
  if (existing)
    return existing.value && isScalar(existing.value)
      ? setScalarEdit(loc, [...mapPath, key], value)
      : null;
  return insertKeyEdit(loc, text, mapPath, key, value, json);
}
