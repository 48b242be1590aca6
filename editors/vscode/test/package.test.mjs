// The extension manifest: every path it contributes exists and parses, and the settings,
// command and activation the client relies on are declared.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { extensionRoot } from './textmate.mjs';

const manifest = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8'));

function readJson(relative) {
  const file = path.join(extensionRoot, relative);
  assert.ok(fs.existsSync(file), `${relative} does not exist`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

test('identity and engine', () => {
  assert.equal(manifest.name, 'play-playbooks');
  assert.ok(manifest.publisher, 'a publisher is required to package the extension');
  assert.match(manifest.engines.vscode, /^\^1\.\d+\.\d+$/);
  // @types/vscode must not be newer than the engine, or `vsce package` refuses.
  const typesVersion = manifest.devDependencies['@types/vscode'].replace(/^[~^]/, '');
  const engineVersion = manifest.engines.vscode.replace(/^\^/, '');
  const minor = (v) => Number(v.split('.')[1]);
  assert.ok(minor(typesVersion) <= minor(engineVersion), `@types/vscode ${typesVersion} > engine ${engineVersion}`);
});

test('the language and its configuration', () => {
  const [language] = manifest.contributes.languages;
  assert.equal(language.id, 'play');
  assert.deepEqual(language.extensions, ['.play']);
  const config = readJson(language.configuration);
  assert.equal(config.comments.lineComment, '//');
  assert.deepEqual(config.comments.blockComment, ['/*', '*/']);
  assert.deepEqual(config.brackets, [['{', '}'], ['[', ']'], ['(', ')']]);
  const opens = config.autoClosingPairs.map((p) => p.open);
  for (const open of ['{', '[', '(', '"', '"""']) {
    assert.ok(opens.includes(open), `no auto-closing pair for ${open}`);
  }
  assert.ok(config.surroundingPairs.length >= 4);
  assert.ok(config.folding);
  for (const pattern of [
    config.indentationRules.increaseIndentPattern,
    config.indentationRules.decreaseIndentPattern,
    config.folding.markers.start,
    config.folding.markers.end,
    config.wordPattern,
    ...config.onEnterRules.map((r) => r.beforeText),
  ]) {
    assert.doesNotThrow(() => new RegExp(pattern), pattern);
  }
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  assert.ok(increase.test('playbook p "Title" {'));
  assert.ok(increase.test('  step s when x {'));
  assert.ok(!increase.test('  task "Hi {account.name}"'));
  assert.ok(!increase.test('  update account { health: 50 }'));
  assert.ok(decrease.test('  }'));
  assert.ok(new RegExp(config.onEnterRules[0].beforeText).test('  /// A doc comment'));
  assert.ok(!new RegExp(config.onEnterRules[0].beforeText).test('  //// not one'));
});

test('the grammar', () => {
  const [grammar] = manifest.contributes.grammars;
  assert.equal(grammar.language, 'play');
  const tm = readJson(grammar.path);
  assert.equal(tm.scopeName, grammar.scopeName);
  assert.equal(tm.scopeName, 'source.play');
  // Every `#name` include resolves.
  const includes = JSON.stringify(tm).match(/"include":"#[^"]+"/g) ?? [];
  for (const include of new Set(includes)) {
    const name = include.slice('"include":"#'.length, -1);
    assert.ok(tm.repository[name], `unresolved include #${name}`);
  }
});

test('settings, command and activation', () => {
  const properties = manifest.contributes.configuration.properties;
  assert.equal(properties['play.server.path'].type, 'string');
  assert.equal(properties['play.server.path'].default, 'play');
  assert.equal(properties['play.server.extraArgs'].type, 'array');
  assert.deepEqual(properties['play.server.extraArgs'].default, []);
  assert.ok(manifest.contributes.commands.some((c) => c.command === 'play.restartServer'));
  assert.ok(manifest.activationEvents.includes('onLanguage:play'));
});

test('the entry point is what tsc builds', () => {
  const tsconfig = readJson('tsconfig.json');
  const source = path.join(tsconfig.compilerOptions.rootDir, 'extension.ts');
  assert.ok(fs.existsSync(path.join(extensionRoot, source)), `${source} does not exist`);
  assert.equal(path.normalize(manifest.main), path.normalize(`./${tsconfig.compilerOptions.outDir}/extension.js`));
  assert.equal(manifest.dependencies['vscode-languageclient'].split('.')[0], '^9');
});

test('packaging leaves sources and build inputs out, and git ignores the build', () => {
  const ignore = fs.readFileSync(path.join(extensionRoot, '.vscodeignore'), 'utf8').split('\n');
  for (const entry of ['src/**', 'test/**', 'tsconfig.json']) {
    assert.ok(ignore.includes(entry), `.vscodeignore lacks ${entry}`);
  }
  const gitignore = fs.readFileSync(path.join(extensionRoot, '.gitignore'), 'utf8').split('\n');
  for (const entry of ['node_modules/', 'out/']) {
    assert.ok(gitignore.includes(entry), `.gitignore lacks ${entry}`);
  }
});
