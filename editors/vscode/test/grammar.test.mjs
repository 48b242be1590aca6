// The TextMate grammar, tokenized by vscode-textmate with the Oniguruma engine VS Code
// uses; no VS Code instance is needed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { extensionRoot, tokenize } from './textmate.mjs';

/** The scopes (without `source.play`) of the `nth` token whose text is exactly `text`. */
async function scopesOf(source, text, nth = 0) {
  const { tokens } = await tokenize(source);
  const matching = tokens.filter((t) => t.text === text);
  assert.ok(
    matching.length > nth,
    `no token ${JSON.stringify(text)} (#${nth}) in ${JSON.stringify(source)}; tokens: ` +
      JSON.stringify(tokens.map((t) => t.text)),
  );
  return matching[nth].scopes.slice(1);
}

/** Asserts that the `nth` token `text` of `source` carries `scope`. */
async function assertScope(source, text, scope, nth = 0) {
  const scopes = await scopesOf(source, text, nth);
  assert.ok(
    scopes.includes(scope),
    `${JSON.stringify(text)} in ${JSON.stringify(source)}: expected ${scope}, got [${scopes.join(', ')}]`,
  );
}

async function assertNoScope(source, text, scopePrefix, nth = 0) {
  const scopes = await scopesOf(source, text, nth);
  assert.ok(
    !scopes.some((s) => s.startsWith(scopePrefix)),
    `${JSON.stringify(text)} in ${JSON.stringify(source)}: expected no ${scopePrefix}*, got [${scopes.join(', ')}]`,
  );
}

describe('comments', () => {
  test('a line comment', async () => {
    await assertScope('// x', ' x', 'comment.line.double-slash.play');
    await assertScope('step s { // x', ' x', 'comment.line.double-slash.play');
  });

  test('three slashes make a doc comment, four an ordinary comment', async () => {
    await assertScope('/// Greets the owner.', ' Greets the owner.', 'comment.line.documentation.play');
    await assertScope('//// not a doc comment', '// not a doc comment', 'comment.line.double-slash.play');
  });

  test('block comments nest and span lines', async () => {
    const source = '/* outer /* inner */ still\ncomment */ playbook';
    await assertScope(source, ' still', 'comment.block.play');
    await assertScope(source, 'comment ', 'comment.block.play');
    await assertScope(source, 'playbook', 'keyword.declaration.play');
  });

  test('`//` inside text is text, and `/` between operands divides', async () => {
    await assertScope('webhook "https://x.example/y" {}', 'https://x.example/y', 'string.quoted.double.play');
    await assertScope('priority account.arr / 10_000', '/', 'keyword.operator.arithmetic.play');
  });
});

describe('items', () => {
  test('item keywords', async () => {
    for (const [source, keyword] of [
      ['enum Tier { Smb }', 'enum'],
      ['record Contact { email: Email }', 'record'],
      ['event Login on Contact', 'event'],
      ['segment big for account: Account = account.arr > 1', 'segment'],
      ['signal usage for account: Account = 1', 'signal'],
      ['template hello for contact: Contact {', 'template'],
      ['limit emails: 2 email per contact per 7d', 'limit'],
      ['playbook onboarding "Onboarding" {', 'playbook'],
      ['test "a test" {', 'test'],
    ]) {
      await assertScope(source, keyword, `keyword.declaration.${keyword}.play`);
    }
    await assertScope('extend record Account { nps: Number? }', 'extend', 'keyword.declaration.extend.play');
    await assertScope('extend record Account { nps: Number? }', 'record', 'keyword.declaration.record.play');
  });

  test('`playbook` is a keyword and its name an entity', async () => {
    const source = 'playbook renewal_risk "Renewal at risk" {';
    await assertScope(source, 'playbook', 'keyword.declaration.playbook.play');
    await assertScope(source, 'renewal_risk', 'entity.name.function.playbook.play');
    await assertScope(source, 'Renewal at risk', 'string.quoted.double.play');
  });

  test('visibility modifiers', async () => {
    await assertScope('public signal s for a: Account = 1', 'public', 'storage.modifier.play');
    await assertScope('private template t for c: Contact {', 'private', 'storage.modifier.play');
    await assertScope('  visibility public', 'public', 'storage.modifier.play');
  });

  test('declared names', async () => {
    await assertScope('enum Tier { Smb, Enterprise }', 'Tier', 'entity.name.type.enum.play');
    await assertScope('enum Tier { Smb, Enterprise }', 'Enterprise', 'variable.other.enummember.play');
    await assertScope('record Contact {', 'Contact', 'entity.name.type.record.play');
    await assertScope('event Login on Contact { feature: Text? }', 'Login', 'entity.name.type.event.play');
    await assertScope('segment big for account: Account =', 'big', 'entity.name.function.segment.play');
    await assertScope('segment big for account: Account =', 'account', 'variable.parameter.binding.play');
    await assertScope('segment big for account: Account =', 'Account', 'entity.name.type.play');
    await assertScope('limit emails: 2 email per contact per 7d', 'emails', 'entity.name.function.limit.play');
  });

  test('enum variants over several lines, with doc comments', async () => {
    const source = 'enum Tier {\n  /// Small.\n  Smb,\n  Enterprise\n}\nplaybook p {';
    await assertScope(source, 'Smb', 'variable.other.enummember.play');
    await assertScope(source, 'Enterprise', 'variable.other.enummember.play');
    await assertScope(source, ' Small.', 'comment.line.documentation.play');
    await assertNoScope(source, 'playbook', 'meta.enum');
  });

  test('an unclosed enum ends at the next item at column 0, as in the parser', async () => {
    const source = 'enum Broken { A, B\nplaybook p {\n}';
    await assertScope(source, 'playbook', 'keyword.declaration.playbook.play');
    await assertNoScope(source, 'playbook', 'meta.enum');
    await assertNoScope(source, 'p', 'variable.other.enummember');
  });

  test('template parts', async () => {
    const source = 'template hello for contact: Contact {\n  subject "Hi"\n  body """\n    Hello\n    """\n}';
    await assertScope(source, 'subject', 'variable.other.property.template-part.play');
    await assertScope(source, 'body', 'variable.other.property.template-part.play');
    await assertScope(source, '    Hello', 'string.quoted.triple.play');
  });

  test('fields and types', async () => {
    const source = 'record Contact { email: Email, tags: List<Text?>?, account: Account }';
    await assertScope(source, 'email', 'variable.other.property.play');
    await assertScope(source, 'Email', 'support.type.builtin.play');
    await assertScope(source, 'List', 'support.type.builtin.play');
    await assertScope(source, 'Text', 'support.type.builtin.play');
    await assertScope(source, '<', 'punctuation.definition.typeparameters.begin.play');
    await assertScope(source, '>', 'punctuation.definition.typeparameters.end.play');
    await assertScope(source, '?', 'keyword.operator.optional.play');
    await assertScope(source, 'Account', 'entity.name.type.play');
  });
});

describe('playbooks', () => {
  test('clause keywords', async () => {
    for (const [source, keyword, scope] of [
      ['  for account: Account', 'for', 'keyword.other.clause.play'],
      ['  visibility public', 'visibility', 'keyword.other.clause.play'],
      ['  owner "jo@example.com"', 'owner', 'keyword.other.clause.play'],
      ['  category risk', 'category', 'keyword.other.clause.play'],
      ['  priority account.arr / 10_000', 'priority', 'keyword.other.clause.play'],
      ['  reentry after_exit', 'reentry', 'keyword.other.clause.play'],
      ['  inflight keep', 'inflight', 'keyword.other.clause.play'],
      ['  on created', 'on', 'keyword.control.clause.play'],
      ['  when account.health < 50', 'when', 'keyword.control.clause.play'],
      ['  exit when account.stage == Churned', 'exit', 'keyword.control.clause.play'],
      ['  step review "Review" {', 'step', 'keyword.control.step.play'],
      ['  wait 3d', 'wait', 'keyword.control.clause.play'],
      ['  wait until account.renewal_date', 'until', 'keyword.control.clause.play'],
      ['  wait for Login where event.feature == "x" timeout 5d', 'where', 'keyword.control.clause.play'],
      ['  wait for Login where event.feature == "x" timeout 5d', 'timeout', 'keyword.control.clause.play'],
      ['  stage triage "Triage" {', 'stage', 'keyword.control.stage.play'],
      ['    optional activity visit "Visit"', 'optional', 'keyword.control.optional.play'],
      ['    optional activity visit "Visit"', 'activity', 'keyword.control.activity.play'],
    ]) {
      await assertScope(source, keyword, scope);
    }
  });

  test('setting values', async () => {
    await assertScope('  reentry never', 'never', 'constant.language.setting.play');
    await assertScope('  inflight migrate', 'migrate', 'constant.language.setting.play');
    await assertScope('  category outreach', 'outreach', 'constant.language.setting.play');
    await assertScope('  on every weekday at 07:30', 'weekday', 'constant.language.setting.play');
    await assertScope('limit t: 15 task per user per 1d then drop', 'drop', 'constant.language.setting.play');
  });

  test('triggers', async () => {
    const source = [
      '  on event TicketOpened',
      '  on account.stage becomes Renewal',
      '  on account.health rises or account.health falls',
      '  on enters enterprise or leaves enterprise',
      '  on created or deleted',
      '  on updated or updated account.owner, account.tier',
      '  on date account.renewal_date - 90d at 09:00',
      '  on every monday at 09:00',
    ].join('\n');
    for (const word of ['event', 'becomes', 'rises', 'falls', 'enters', 'leaves', 'created', 'deleted', 'updated', 'date', 'every', 'at']) {
      await assertScope(source, word, 'keyword.other.trigger.play');
    }
    await assertScope(source, 'TicketOpened', 'entity.name.type.event.play');
    await assertScope(source, 'enterprise', 'entity.name.function.segment.play');
  });

  test('steps, stages and activities are named', async () => {
    await assertScope('  step follow_up when timed_out {', 'follow_up', 'entity.name.function.step.play');
    await assertScope('  step follow_up when timed_out {', 'timed_out', 'variable.language.play');
    await assertScope('  stage triage "Triage" {', 'triage', 'entity.name.function.stage.play');
    await assertScope('    activity verify "Verify" to case.assigned_to', 'verify', 'entity.name.function.activity.play');
  });

  test('action keywords and options', async () => {
    const source = [
      '    task "Call" to account.owner due 2d note "Ask"',
      '    email_task to account.champion ?? skip template renewal_followup',
      '    email to account.champion ?? skip template renewal_followup',
      '    assign account.owner to manager_of(account.owner)',
      '    notify email "cs@example.com" "Risk"',
      '    notify slack "#cs-alerts" "Health fell"',
      '    enroll account.champion ?? skip in flow "Re-engage"',
      '    brief account to account.owner',
      '    update account { health: 50 }',
      '    webhook "https://hooks.example.com/play" { arr: account.arr * 1.1 }',
      '    activity reset "Reset" creates Task { subject: "Reset" }',
    ].join('\n');
    for (const word of ['task', 'email_task', 'email', 'assign', 'notify', 'slack', 'enroll', 'brief', 'update', 'webhook']) {
      await assertScope(source, word, 'keyword.other.action.play');
    }
    for (const word of ['to', 'due', 'note', 'flow', 'creates']) {
      await assertScope(source, word, 'keyword.other.option.play');
    }
    await assertScope(source, 'template', 'keyword.declaration.template.play');
    await assertScope(source, 'renewal_followup', 'entity.name.function.template.play');
    await assertScope(source, 'manager_of', 'support.function.builtin.play');
    await assertScope(source, 'Task', 'entity.name.type.play');
  });

  test('`skip` after `??`', async () => {
    const source = 'email_task to account.champion ?? skip template t';
    await assertScope(source, '??', 'keyword.operator.coalesce.play');
    await assertScope(source, 'skip', 'keyword.control.skip.play');
  });

  test('contextual keywords are names after `.` and before `:`', async () => {
    await assertScope('when account.stage == Renewal', 'stage', 'variable.other.property.play');
    await assertNoScope('when account.stage == Renewal', 'stage', 'keyword');
    await assertScope('update case { priority: High, note: "x" }', 'priority', 'variable.other.property.play');
    await assertScope('update case { priority: High, note: "x" }', 'note', 'variable.other.property.play');
    await assertScope('  for case: Case', 'case', 'variable.parameter.binding.play');
    await assertScope('trigger.event.score', 'trigger', 'variable.language.play');
    await assertScope('trigger.event.score', 'event', 'variable.other.property.play');
  });
});

describe('tests', () => {
  test('test statements', async () => {
    const source = [
      'test "declining health" {',
      '  given Account acme { name: "Acme" }',
      '  create Contact ana { email: "ana@acme.example" }',
      '  at 2026-03-02T09:00:00Z',
      '  after 3d',
      '  event Login on jo { feature: "reports" }',
      '  delete acme',
      '  expect no task playbook renewal_risk step escalate',
      '  expect task to "jo@example.com" titled "Review"',
      '}',
    ].join('\n');
    await assertScope(source, 'test', 'keyword.declaration.test.play');
    for (const word of ['given', 'create', 'delete', 'expect', 'no']) {
      await assertScope(source, word, 'keyword.other.test.play');
    }
    await assertScope(source, 'Account', 'entity.name.type.play');
    await assertScope(source, 'acme', 'variable.other.record.play');
    await assertScope(source, 'after', 'keyword.other.option.play');
    await assertScope(source, 'titled', 'keyword.other.option.play');
    await assertScope(source, 'renewal_risk', 'entity.name.function.playbook.play');
    await assertScope(source, 'escalate', 'entity.name.function.step.play');
  });
});

describe('expressions', () => {
  test('reserved words', async () => {
    const source = 'when not a and b or c in [X] and d not in [Y] and e == true or f == false';
    await assertScope(source, 'and', 'keyword.operator.logical.play');
    await assertScope(source, 'or', 'keyword.operator.logical.play');
    await assertScope(source, 'not', 'keyword.operator.logical.play');
    await assertScope(source, 'in', 'keyword.operator.in.play');
    await assertScope(source, 'not', 'keyword.operator.logical.play', 1);
    await assertScope(source, 'in', 'keyword.operator.in.play', 1);
    await assertScope(source, 'true', 'constant.language.boolean.play');
    await assertScope(source, 'false', 'constant.language.boolean.play');
  });

  test('operators', async () => {
    const source = 'a == b != c <= d >= e < f > g ?? h + i - j * k / l';
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      await assertScope(source, op, 'keyword.operator.comparison.play');
    }
    for (const op of ['+', '-', '*', '/']) {
      await assertScope(source, op, 'keyword.operator.arithmetic.play');
    }
    await assertScope(source, '??', 'keyword.operator.coalesce.play');
    await assertScope('segment s for a: Account = true', '=', 'keyword.operator.assignment.play');
  });

  test('field access', async () => {
    const source = 'contact.account.name';
    await assertScope(source, 'contact', 'variable.other.play');
    await assertScope(source, '.', 'punctuation.accessor.play');
    await assertScope(source, 'account', 'variable.other.property.play');
    await assertScope(source, 'name', 'variable.other.property.play');
  });

  test('calls', async () => {
    await assertScope('did(Login, within: 7d)', 'did', 'support.function.builtin.play');
    await assertScope('did(Login, within: 7d)', 'within', 'variable.other.property.play');
    await assertScope('directory_lookup(x)', 'directory_lookup', 'entity.name.function.play');
  });

  test('PascalCase types and variants', async () => {
    await assertScope('account.tier == Enterprise', 'Enterprise', 'entity.name.type.play');
    await assertScope('account.stage in [Adoption, Renewal]', 'Renewal', 'entity.name.type.play');
  });
});

describe('literals', () => {
  test('numbers, with `_`', async () => {
    for (const n of ['42', '200_000', '0.25', '1_000.5']) {
      await assertScope(`x == ${n}`, n, 'constant.numeric.decimal.play');
    }
  });

  test('percents', async () => {
    await assertScope('x <= -40%', '40', 'constant.numeric.percent.play');
    await assertScope('x <= -40%', '%', 'constant.numeric.percent.play');
    await assertScope('x <= 12.5%', '12.5', 'constant.numeric.percent.play');
  });

  test('durations', async () => {
    await assertScope('wait 3bd', '3', 'constant.numeric.duration.play');
    await assertScope('wait 3bd', 'bd', 'constant.numeric.duration.play');
    await assertScope('wait 3bd', 'bd', 'keyword.other.unit.duration.play');
    for (const [text, number, unit] of [['30m', '30', 'm'], ['12h', '12', 'h'], ['3d', '3', 'd'], ['2w', '2', 'w'], ['1_000m', '1_000', 'm']]) {
      await assertScope(`wait ${text}`, number, 'constant.numeric.duration.play');
      await assertScope(`wait ${text}`, unit, 'constant.numeric.duration.play');
    }
  });

  test('a number directly followed by a letter is invalid', async () => {
    await assertScope('wait 1.5d', '1.5d', 'invalid.illegal.numeric.play');
    await assertScope('x == 3x', '3x', 'invalid.illegal.numeric.play');
  });

  test('dates, datetimes and times', async () => {
    await assertScope('at 2026-03-12', '2026-03-12', 'constant.numeric.date.play');
    for (const datetime of ['2026-03-12T09:00', '2026-03-12T09:00:00Z', '2026-03-12T09:00+01:00']) {
      await assertScope(`at ${datetime}`, datetime, 'constant.numeric.datetime.play');
    }
    await assertScope('on every day at 08:00', '08:00', 'constant.numeric.time.play');
  });
});

describe('text', () => {
  test('an interpolation embeds an expression', async () => {
    const source = 'task "Hi {contact.first_name}"';
    const scopes = await scopesOf(source, 'contact');
    assert.ok(scopes.includes('string.quoted.double.play'), scopes.join(', '));
    assert.ok(scopes.includes('meta.interpolation.play'), scopes.join(', '));
    assert.ok(scopes.includes('meta.embedded.expression.play'), scopes.join(', '));
    assert.ok(scopes.includes('variable.other.play'), scopes.join(', '));
    await assertScope(source, 'first_name', 'variable.other.property.play');
    await assertScope(source, 'first_name', 'meta.embedded.expression.play');
    await assertScope(source, '{', 'punctuation.section.interpolation.begin.play');
    await assertScope(source, '}', 'punctuation.section.interpolation.end.play');
    await assertScope(source, 'Hi ', 'string.quoted.double.play');
  });

  test('text inside an interpolation', async () => {
    const source = 'subject "Hello {contact.first_name ?? "there"}, welcome"';
    await assertScope(source, '??', 'meta.embedded.expression.play');
    await assertScope(source, 'there', 'string.quoted.double.play');
    await assertScope(source, 'there', 'meta.embedded.expression.play');
    await assertScope(source, ', welcome', 'string.quoted.double.play');
    await assertNoScope(source, ', welcome', 'meta.interpolation');
  });

  test('`{{` is an escaped brace, not an interpolation', async () => {
    const source = 'body "braces {{ here } and {x}"';
    await assertScope(source, '{{', 'constant.character.escape.brace.play');
    await assertNoScope(source, ' here } and ', 'meta.interpolation');
    await assertScope(source, 'x', 'meta.embedded.expression.play');
  });

  test('escapes', async () => {
    const source = String.raw`body "a \" b \\ c \n d \t e \r f \{ g \} h \u{1F600} i \q"`;
    for (const escape of [String.raw`\"`, String.raw`\\`, String.raw`\n`, String.raw`\t`, String.raw`\r`, String.raw`\{`, String.raw`\}`, String.raw`\u{1F600}`]) {
      await assertScope(source, escape, 'constant.character.escape.play');
    }
    await assertScope(source, String.raw`\q`, 'invalid.illegal.escape.play');
  });

  test('`"""` text spans lines, with interpolations and quotes', async () => {
    const source = 'body """\n    Hi {contact.first_name ?? "there"},\n    a "quoted" word\n    """\nplaybook p {';
    await assertScope(source, '"""', 'string.quoted.triple.play');
    await assertScope(source, '    Hi ', 'string.quoted.triple.play');
    await assertScope(source, 'first_name', 'meta.embedded.expression.play');
    await assertScope(source, '    a "quoted" word', 'string.quoted.triple.play');
    await assertScope(source, 'playbook', 'keyword.declaration.playbook.play');
    await assertNoScope(source, 'playbook', 'string');
  });

  test('one-line text without its closing quote ends at the end of the line', async () => {
    const source = 'task "Review {account.\n  wait 3d';
    await assertScope(source, 'wait', 'keyword.control.clause.play');
    await assertNoScope(source, 'wait', 'string');
  });
});

// Every example project, the standard library and the language reference's examples:
// the grammar must end each file in its initial state, and mark nothing invalid.
const repoRoot = path.resolve(extensionRoot, '..', '..');

function playFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return playFiles(full);
    return entry.name.endsWith('.play') ? [full] : [];
  });
}

function docExamples(file) {
  if (!fs.existsSync(file)) return [];
  const markdown = fs.readFileSync(file, 'utf8');
  return [...markdown.matchAll(/```play\r?\n([\s\S]*?)```/g)].map((m, i) => [`${path.relative(repoRoot, file)} example ${i + 1}`, m[1]]);
}

describe('the project’s own Play sources', () => {
  const sources = [
    ...playFiles(path.join(repoRoot, 'examples')).map((f) => [path.relative(repoRoot, f), fs.readFileSync(f, 'utf8')]),
    ...playFiles(path.join(repoRoot, 'stdlib')).map((f) => [path.relative(repoRoot, f), fs.readFileSync(f, 'utf8')]),
    ...docExamples(path.join(repoRoot, 'docs', 'language.md')),
  ];

  test('there are sources to check', () => {
    assert.ok(sources.length >= 20, `found only ${sources.length} sources under ${repoRoot}`);
  });

  for (const [name, source] of sources) {
    test(name, async () => {
      const { tokens, state } = await tokenize(source);
      assert.equal(state.depth, 1, `${name} ends inside a string, comment or block`);
      const invalid = tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid')));
      assert.deepEqual(invalid.map((t) => `line ${t.line + 1}: ${t.text}`), []);
      const unscoped = tokens.filter((t) => t.text.trim() !== '' && t.scopes.length === 1);
      assert.deepEqual(unscoped.map((t) => `line ${t.line + 1}: ${t.text}`), []);
    });
  }
});
