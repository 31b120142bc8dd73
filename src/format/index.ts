/** Formatters are pure functions, loaded lazily so start-up pays only for the one used. */
import type { Formatter } from "./types.js";

export const FORMATS = ["stylish", "json", "sarif", "github", "junit"] as const;
export type FormatName = (typeof FORMATS)[number];

export async function loadFormatter(name: FormatName): Promise<Formatter> {
  switch (name) {
    case "stylish":
      return (await import("./stylish.js")).default;
    case "json":
      return (await import("./json.js")).default;
    case "sarif":
      return (await import("./sarif.js")).default;
    case "github":
      return (await import("./github.js")).default;
    case "junit":
      return (await import("./junit.js")).default;
  }
}
