/**
 * A one-line picture of the grace period for budget findings (SPEC §6): each budget term as
 * a segment on a scale of seconds, against SIGKILL at the end of the grace period.
 */
import type { ChalkInstance } from "chalk";
import type { BudgetData } from "../types.js";

const WIDTH = 48;
const GLYPHS: Record<string, string> = {
  preStop: "p",
  drainDelay: "d",
  maxRequest: "r",
  safetyMargin: "m",
};

export function renderTimeline(b: BudgetData, c: ChalkInstance): string[] {
  const span = Math.max(b.total, b.grace, 1);
  const scale = WIDTH / span;
  let bar = "";
  const legend: string[] = [];
  for (const t of b.terms) {
    const cells = Math.round(t.seconds * scale);
    const key = Object.keys(GLYPHS).find((k) => t.name.startsWith(k)) ?? t.name;
    const glyph = GLYPHS[key] ?? "·";
    bar += glyph.repeat(cells);
    legend.push(`${glyph}=${t.name} ${t.unknown ? "?" : `${t.seconds}s`}`);
  }
  const killAt = Math.round(b.grace * scale);
  const within = bar.slice(0, killAt).padEnd(killAt, " ");
  const beyond = bar.slice(killAt);
  const line = `${c.dim("0s")} |${within}${c.red("|")}${c.red(beyond)} ${c.red(`SIGKILL at ${b.grace}s`)}, budget ${b.total}s`;
  return [line, c.dim(legend.join("  "))];
}
