// kubectl's JSONPath subset on the shapes `get -o jsonpath` prints: one object, a List, ranges,
// indexes, filters, literals, missing keys (printed as nothing) and templates that do not parse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJsonPath, JsonPathError } from './jsonpath.js';

const pod = (name: string, ip: string, image: string) => ({
  kind: 'Pod',
  metadata: { name, labels: { app: 'web', 'app.kubernetes.io/name': name } },
  spec: { containers: [{ name: 'c', image, ports: [{ containerPort: 80 }] }] },
  status: {
    podIP: ip,
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ],
  },
});
const netpod = pod('netpod', '10.200.0.5', 'nicolaka/netshoot');
const list = {
  kind: 'List',
  items: [
    netpod,
    pod('webpod1', '10.200.1.7', 'traefik/whoami'),
    pod('webpod2', '10.200.2.9', 'traefik/whoami'),
  ],
};
const run = (template: string, value: unknown) => compileJsonPath(template)(value);

test('the seeds’ templates: a field of one object, names of a list, the first item', () => {
  assert.equal(run('{.status.podIP}', netpod), '10.200.0.5');
  assert.equal(run('{.items[*].metadata.name}', list), 'netpod webpod1 webpod2');
  assert.equal(run('{.items[0].spec.containers[0].image}', list), 'nicolaka/netshoot');
  assert.equal(run('{.spec.containers[0].ports[0].containerPort}', netpod), '80');
});

test('range with string literals prints one line per item', () => {
  assert.equal(
    run('{range .items[*]}{.metadata.name}{"\\t"}{.status.podIP}{"\\n"}{end}', list),
    'netpod\t10.200.0.5\nwebpod1\t10.200.1.7\nwebpod2\t10.200.2.9\n',
  );
  assert.equal(run('{range .items[*]}[{.metadata.name}]{end}', list), '[netpod][webpod1][webpod2]');
});

test('text around actions, unions, slices, negative indexes, wildcards and recursion', () => {
  assert.equal(run('ip={.status.podIP}!', netpod), 'ip=10.200.0.5!');
  assert.equal(run('{.metadata.name,.status.podIP}', netpod), 'netpod 10.200.0.5');
  assert.equal(run('{.items[1:].metadata.name}', list), 'webpod1 webpod2');
  assert.equal(run('{.items[0:3:2].metadata.name}', list), 'netpod webpod2');
  assert.equal(run('{.items[-1].metadata.name}', list), 'webpod2');
  assert.equal(run('{.metadata.labels.*}', netpod), 'web netpod');
  assert.equal(run('{..podIP}', list), '10.200.0.5 10.200.1.7 10.200.2.9');
  assert.equal(run('{$.kind}', list), 'List');
});

test('keys with dots: bracket quotes and backslash escapes', () => {
  assert.equal(run("{.metadata.labels['app.kubernetes.io/name']}", netpod), 'netpod');
  assert.equal(run('{.metadata.labels.app\\.kubernetes\\.io/name}', netpod), 'netpod');
});

test('filters compare a field of each item with a literal', () => {
  assert.equal(run('{.status.conditions[?(@.type=="Ready")].status}', netpod), 'True');
  assert.equal(run('{.items[?(@.status.podIP == "10.200.1.7")].metadata.name}', list), 'webpod1');
  assert.equal(
    run('{.items[?(@.spec.containers[0].ports[0].containerPort >= 80)].metadata.name}', list),
    'netpod webpod1 webpod2',
  );
  assert.equal(run('{.items[?(@.status.nope)].metadata.name}', list), '');
});

test('maps and lists print as compact JSON; missing keys and out-of-range indexes as nothing', () => {
  assert.equal(run('{.metadata.labels}', netpod), '{"app":"web","app.kubernetes.io/name":"netpod"}');
  assert.equal(run('{.spec.containers[0].ports}', netpod), '[{"containerPort":80}]');
  assert.equal(run('{.status.hostIP}', netpod), '');
  assert.equal(run('{.items[7].metadata.name}', list), '');
  assert.equal(run('{.items[*].status.nominatedNodeName}', list), '');
});

test('a bad template is refused with a message naming the template', () => {
  const bad: [string, RegExp][] = [
    ['{.items[', /"\{\.items\[": unclosed action starting at character 1/],
    [
      '{.items[abc]}',
      /"\{\.items\[abc\]\}": expected an index, a slice, '\*' or a quoted key at character 9/,
    ],
    [
      '{range .items[*]}{.metadata.name}',
      /"\{range \.items\[\*\]\}\{\.metadata\.name\}": \{range\} without a matching \{end\}/,
    ],
    ['{end}', /\{end\} at character 1 without a \{range\}/],
    ['{.a b}', /unexpected "b" at character 5/],
    ['{"\\t}', /unclosed action/],
  ];
  for (const [template, message] of bad) {
    assert.throws(
      () => compileJsonPath(template),
      (err: Error) => {
        assert.ok(err instanceof JsonPathError, template);
        assert.match(err.message, /^bad jsonpath template /);
        assert.match(err.message, message, template);
        return true;
      },
    );
  }
});
