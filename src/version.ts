/** The package version, inlined at build time by esbuild's JSON loader. */
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
