import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asLog, createLogger, type Log, type LoggerOptions, parseLogLevel } from './log.js';

const T = new Date('2026-12-01T22:30:00.123Z');

function capture(opts: LoggerOptions = {}) {
  const lines: string[] = [];
  const make = (component: string) =>
    createLogger(component, { env: {}, now: () => T, write: (l) => lines.push(l), ...opts });
  return { lines, make };
}

test('one line per record: timestamp, level, component, the message unchanged', () => {
  const { lines, make } = capture();
  const log = make('agent');
  log.info('initial sync done: 2 services');
  log.warn('GARP sent for 10.0.10.0 on eth0');
  log.error('store watch: connection refused');
  assert.deepEqual(lines, [
    '2026-12-01T22:30:00.123Z info agent: initial sync done: 2 services\n',
    '2026-12-01T22:30:00.123Z warn agent: GARP sent for 10.0.10.0 on eth0\n',
    '2026-12-01T22:30:00.123Z error agent: store watch: connection refused\n',
  ]);
});

test('records below the level are dropped; debug needs level debug', () => {
  const { lines, make } = capture({ level: 'warn' });
  const log = make('operator');
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
  assert.deepEqual(
    lines.map((l) => l.split(' ')[1]),
    ['warn', 'error'],
  );
  const dbg = capture({ level: 'debug' });
  dbg.make('x').debug('seen');
  assert.equal(dbg.lines.length, 1);
});

test('the level comes from WAGGLE_LOG_LEVEL when no option is given; a bad value names the variable', () => {
  const { lines, make } = capture({ env: { WAGGLE_LOG_LEVEL: 'error' } });
  const log = make('agent');
  assert.equal(log.level, 'error');
  log.warn('hidden');
  assert.equal(lines.length, 0);
  assert.equal(createLogger('a', { env: {} }).level, 'info');
  assert.equal(createLogger('a', { env: { WAGGLE_LOG_LEVEL: 'DEBUG' } }).level, 'debug');
  assert.equal(createLogger('a', { env: { WAGGLE_LOG_LEVEL: 'error' }, level: 'debug' }).level, 'debug');
  assert.throws(() => createLogger('a', { env: { WAGGLE_LOG_LEVEL: 'verbose' } }), {
    message: 'WAGGLE_LOG_LEVEL "verbose": not a log level (use debug, info, warn, error)',
  });
  assert.throws(() => parseLogLevel('loud', '--log-level'), /^Error: --log-level "loud"/);
});

test('child loggers extend the component; methods work detached, as an injected Log', () => {
  const { lines, make } = capture();
  const child = make('agent').child('devices');
  const detached: Log = child.info;
  detached('device eth0 selected');
  assert.equal(lines[0], '2026-12-01T22:30:00.123Z info agent/devices: device eth0 selected\n');
});

test('a newline inside a message cannot split a record', () => {
  const { lines, make } = capture();
  make('agent').info('first\nsecond');
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.split('\n').length, 2); // the record and its terminating newline only
  assert.match(lines[0] ?? '', /first\\nsecond\n$/);
});

test('asLog routes "warning: " and "error: " prefixes to their levels without rewriting the text', () => {
  const { lines, make } = capture();
  const log = asLog(make('agent'));
  log('warning: ip monitor: ENOENT');
  log('error: gave up');
  log('datapath loaded');
  assert.deepEqual(
    lines.map((l) => l.slice(25)),
    [
      'warn agent: warning: ip monitor: ENOENT\n',
      'error agent: error: gave up\n',
      'info agent: datapath loaded\n',
    ],
  );
});
