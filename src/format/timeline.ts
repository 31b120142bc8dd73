/**
 * A one-line picture of the grace period for budget findings (SPEC §6): the budget terms as
 * labelled segments in order (preStop, drain, requests, margin), roughly to scale, with the
 * SIGKILL point marked `┃` where the grace period ends; what lies after it is cut off.
 *
 *   0s ├── preStop 5s ──┼──── requests 10s* ┃───┼─ margin 5s* ─┤ SIGKILL at 15s, 5s short of 20s (* default)
 */
import type { ChalkInstance } from "chalk";
import type { BudgetData } from "../types.js";

/** Columns the segments share, before labels widen the short ones. */
const WIDTH = 56;
const LABELS: Record<string, string> = {
  preStop: "preStop",
  drainDelay: "drain",
  maxRequest: "requests",
  safetyMargin: "margin",
};

function secs(n: number): string {
  return `${Math.round(n * 100) / 100}s`;
}

interface Piece {
  body: string;
  start: number;
  end: number;
  tint: (s: string) => string;
  /** Columns of the label in `body`: the SIGKILL mark never splits it. */
  label: [number, number];
}

export function renderTimeline(b: BudgetData, c: ChalkInstance): string[] {
  const tints: Record<string, (s: string) => string> = {
    preStop: c.cyan,
    drainDelay: c.blue,
    maxRequest: c.yellow,
    safetyMargin: c.magenta,
  };
  const segments = b.terms
    .filter((t) => t.seconds > 0 || t.unknown)
    .map((t) => ({
      label: `${LABELS[t.name] ?? t.name} ${t.unknown ? "?" : secs(t.seconds)}${t.isDefault ? "*" : ""}`,
      seconds: t.seconds,
      tint: tints[t.name] ?? ((s: string) => s),
    }));
  if (b.grace > b.total)
    segments.push({
      label: `spare ${secs(b.grace - b.total)}`,
      seconds: b.grace - b.total,
      tint: c.dim,
    });
  const scale = WIDTH / Math.max(b.total, b.grace, 1);
  const pieces: Piece[] = [];
  let at = 0;
  for (const s of segments) {
    const text = ` ${s.label} `;
    const width = Math.max(Math.round(s.seconds * scale), text.length + 2);
    const left = Math.floor((width - text.length) / 2);
    const body = "─".repeat(left) + text + "─".repeat(width - text.length - left);
    pieces.push({
      body,
      start: at,
      end: at + s.seconds,
      tint: s.tint,
      label: [left, left + text.length],
    });
    at += s.seconds;
  }
  // Where the grace period ends: inside the piece that spans it, or after the last one.
  const kill = c.red.bold("┃");
  let killed = false;
  const rendered = pieces.map((p) => {
    if (killed) return c.red(p.body);
    if (b.grace >= p.end) return p.tint(p.body);
    killed = true;
    let k = Math.round(((b.grace - p.start) / Math.max(p.end - p.start, 1e-9)) * p.body.length);
    const [from, to] = p.label;
    if (k > from && k < to) k = k - from <= to - k ? from : to;
    return p.tint(p.body.slice(0, k)) + kill + c.red(p.body.slice(k));
  });
  const bar = `├${rendered.join("┼")}${killed ? "┤" : kill}`;
  const hasDefault = b.terms.some((t) => t.isDefault && t.seconds > 0);
  const verdict =
    b.total > b.grace
      ? c.red(`SIGKILL at ${secs(b.grace)}, ${secs(b.total - b.grace)} short of ${secs(b.total)}`)
      : `SIGKILL at ${secs(b.grace)}, budget ${secs(b.total)} fits`;
  return [`${c.dim("0s")} ${bar} ${verdict}${hasDefault ? c.dim(" (* default)") : ""}`];
}
