/** The json format: exactly the SPEC §6 shape (keys may be added, never removed). */
import type { FormatInput } from "./types.js";

export default function formatJson(input: FormatInput): string {
  const { result, version } = input;
  const doc = {
    schemaVersion: 1,
    tool: { name: "drainlint", version },
    summary: result.summary,
    findings: result.findings,
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
