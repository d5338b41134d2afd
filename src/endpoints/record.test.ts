// Endpoint records on disk: what a restarted agent reads back, and what it does with the debris
// of a crash (a half-written .tmp) or a damaged file.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type EndpointRecord, RecordStore } from './record.js';

const root = mkdtempSync(join(tmpdir(), 'waggle-records-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `store-${n++}`);

function record(id: number, over: Partial<EndpointRecord> = {}): EndpointRecord {
  return {
    id,
    kind: 'pod',
    state: 'ready',
    attachment: `c${id}:eth0`,
    containerId: `c${id}`,
    ifname: 'eth0',
    netns: `/var/run/netns/pod-${id}`,
    podNamespace: 'default',
    podName: `web-${id}`,
    labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=default'],
    identity: 19520,
    ipv4: `10.244.1.${id}`,
    hostIfname: `lxc${String(id).padStart(12, '0')}`,
    hostIfindex: 100 + id,
    hostMac: '02:00:00:00:00:01',
    containerMac: '02:00:00:00:00:02',
    mtu: 1500,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

const noWarnings = (msg: string) => assert.fail(`unexpected warning: ${msg}`);

describe('RecordStore', () => {
  test('save then load gives back every record, field for field, sorted by ID', () => {
    const dir = freshDir();
    const store = new RecordStore(dir);
    // The health endpoint has no pod: its optional fields are absent, and must stay absent.
    const {
      podName: _name,
      podNamespace: _ns,
      ...health
    } = record(7, { kind: 'health', attachment: 'health' });
    const recs: EndpointRecord[] = [record(12), record(3, { state: 'creating' }), health];
    for (const r of recs) store.save(r);
    // A second store on the same directory is the restarted agent.
    const loaded = new RecordStore(dir).load(noWarnings);
    assert.deepEqual(
      loaded,
      [...recs].sort((a, b) => a.id - b.id).map((r) => JSON.parse(JSON.stringify(r))),
    );
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, '3.json')).mode & 0o777, 0o600);
  });

  test('a later save replaces the record; remove deletes it and tolerates a missing one', () => {
    const store = new RecordStore(freshDir());
    store.save(record(4, { state: 'creating' }));
    store.save(record(4, { state: 'ready' }));
    assert.deepEqual(
      store.load(noWarnings).map((r) => [r.id, r.state]),
      [[4, 'ready']],
    );
    store.remove(4);
    store.remove(4);
    assert.deepEqual(store.load(noWarnings), []);
  });

  test('a .tmp left by a crash mid-save is deleted, and the record it was replacing survives', () => {
    const dir = freshDir();
    const store = new RecordStore(dir);
    store.save(record(5));
    writeFileSync(join(dir, '5.json.tmp'), '{"id":5,"ipv4":"10.244'); // cut off mid-write
    writeFileSync(join(dir, '6.json.tmp'), '');
    const loaded = store.load(noWarnings);
    assert.deepEqual(
      loaded.map((r) => r.id),
      [5],
    );
    assert.equal(loaded[0]?.ipv4, '10.244.1.5');
    assert.deepEqual(readdirSync(dir), ['5.json']);
  });

  test('a damaged record is reported through warn, naming the file, and skipped; the others load', () => {
    const dir = freshDir();
    const store = new RecordStore(dir);
    store.save(record(1));
    store.save(record(9));
    writeFileSync(join(dir, '2.json'), '{not json');
    writeFileSync(join(dir, '3.json'), '{"id":3}');
    writeFileSync(join(dir, '4.json'), 'null');
    const warnings: string[] = [];
    const loaded = store.load((m) => warnings.push(m));
    assert.deepEqual(
      loaded.map((r) => r.id),
      [1, 9],
    );
    assert.equal(warnings.length, 3, warnings.join('\n'));
    const two = warnings.find((w) => w.includes('2.json')) ?? '';
    assert.match(two, new RegExp(`^endpoint state ${join(dir, '2.json')}: unreadable \\(.+\\); ignored$`));
    assert.ok(
      warnings.some((w) => w.includes(`${join(dir, '3.json')}: unreadable (missing id or ipv4)`)),
      warnings.join('\n'),
    );
    // Reported, not deleted: the operator can look at it.
    assert.ok(existsSync(join(dir, '2.json')));
  });

  test('a record whose ID is not its file name is refused, so removing it cannot delete another', () => {
    const dir = freshDir();
    const store = new RecordStore(dir);
    store.save(record(3));
    writeFileSync(join(dir, '7.json'), JSON.stringify(record(3)));
    writeFileSync(join(dir, '08.json'), JSON.stringify(record(8)));
    const warnings: string[] = [];
    assert.deepEqual(
      store.load((m) => warnings.push(m)).map((r) => r.id),
      [3],
    );
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.ok(warnings.some((w) => w.includes('7.json: unreadable (id 3 does not match the file name)')));
    assert.ok(warnings.some((w) => w.includes('08.json: unreadable (id 8 does not match the file name)')));
  });

  test('no directory until the first save (an agent without endpoints writes nothing)', () => {
    const dir = freshDir();
    const store = new RecordStore(dir);
    assert.deepEqual(store.load(noWarnings), []);
    assert.equal(existsSync(dir), false);
    store.save(record(1));
    assert.deepEqual(readdirSync(dir), ['1.json']);
  });

  test('files that are not records are left alone', () => {
    const dir = freshDir();
    const store = new RecordStore(dir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'README'), 'x');
    writeFileSync(join(dir, 'notes.json'), '{}');
    assert.deepEqual(store.load(noWarnings), []);
    assert.deepEqual(readdirSync(dir).sort(), ['README', 'notes.json']);
  });
});
