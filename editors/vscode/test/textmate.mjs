// Loads syntaxes/play.tmLanguage.json with vscode-textmate and the Oniguruma regex engine
// (WebAssembly, shipped inside vscode-oniguruma): the same engine VS Code uses.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

export const extensionRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const grammarPath = path.join(extensionRoot, 'syntaxes', 'play.tmLanguage.json');

let grammarPromise;

/** The Play grammar, loaded once. */
export function loadGrammar() {
  grammarPromise ??= (async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
        createOnigString: (text) => new oniguruma.OnigString(text),
      }),
      loadGrammar: async (scopeName) =>
        scopeName === 'source.play'
          ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
          : null,
    });
    const grammar = await registry.loadGrammar('source.play');
    if (!grammar) throw new Error('the grammar source.play did not load');
    return grammar;
  })();
  return grammarPromise;
}

/**
 * Tokenizes a source text line by line. Returns the tokens of every line as
 * `{ line, text, scopes }`, and the rule stack after the last line (`depth` 1 means the
 * text ended outside any string, comment or block the grammar tracks).
 */
export async function tokenize(source) {
  const grammar = await loadGrammar();
  let state = vsctm.INITIAL;
  const tokens = [];
  source.split(/\r?\n/).forEach((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, state);
    for (const token of result.tokens) {
      tokens.push({
        line,
        text: lineText.slice(token.startIndex, token.endIndex),
        scopes: token.scopes,
      });
    }
    state = result.ruleStack;
  });
  return { tokens, state };
}
