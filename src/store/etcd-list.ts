// Reading a whole prefix from etcd in pages at one revision. A single range of 10,000 Services
// is over gRPC's 4 MiB message limit, so lists page by key (500 at a time) and pin the first
// page's revision so that every page shows the same moment.
import { type Etcd3, Range } from 'etcd3';
import type { RawKv } from './etcd-keys.js';

const pageSize = 500;

export async function rangeAll(client: Etcd3, prefix: string): Promise<{ kvs: RawKv[]; revision: string }> {
  const whole = Range.prefix(prefix);
  const kvs: RawKv[] = [];
  let start: Buffer = whole.start;
  let revision: string | undefined;
  // Bounded: each page advances past its last key, and a prefix holds finitely many keys.
  for (;;) {
    const builder = client.getAll().inRange(new Range(start, whole.end)).limit(pageSize);
    if (revision !== undefined) builder.revision(revision);
    const res = await builder.exec();
    revision ??= String(res.header.revision);
    const page = res.kvs as unknown as RawKv[];
    kvs.push(...page);
    const last = page[page.length - 1];
    if (!res.more || !last) return { kvs, revision };
    start = Buffer.concat([last.key, Buffer.from([0])]);
  }
}
