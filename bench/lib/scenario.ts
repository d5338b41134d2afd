// The starting point most lab benches share: the seed's pool and policy and one LoadBalancer
// service, with its address assigned, its lease held by a worker and the VIP answered on eth1.
import type { Store } from '../../src/store/index.js';
import { ArpCapture, startArping } from './capture.js';
import {
  applyText,
  externalIps,
  holderOf,
  hostOfMac,
  leaseName,
  SEED_POLICY,
  SEED_POOL,
  serviceYaml,
  until,
} from './lab.js';

export interface Vip {
  service: string;
  namespace: string;
  lease: string;
  ip: string;
  holder: string;
}

export async function seedVip(store: Store, name = 'web', namespace = 'default'): Promise<Vip> {
  applyText(`${SEED_POOL}\n---\n${serviceYaml(name, namespace)}`);
  applyText(SEED_POLICY);
  const ip = await until(30_000, async () => (await externalIps(store, namespace)).get(name), 200);
  if (!ip) throw new Error(`service ${namespace}/${name}: no EXTERNAL-IP within 30 s`);
  const lease = leaseName(namespace, name);
  const holder = await until(60_000, () => holderOf(store, lease), 200);
  if (!holder) throw new Error(`lease ${lease}: no holder within 60 s`);
  await answeredBy(ip, holder);
  return { service: `${namespace}/${name}`, namespace, lease, ip, holder };
}

/** Waits until the jumpbox's arping for `ip` is answered by `host`'s eth1 (at most 30 s). */
export async function answeredBy(ip: string, host: string): Promise<void> {
  const cap = await ArpCapture.start('jumpbox', 'eth1', 40_000);
  const arping = startArping('jumpbox', 'eth1', ip, 0.1, 30);
  try {
    const got = await until(30_000, () =>
      cap.replies(ip).find((p) => p.dst !== 'ff:ff:ff:ff:ff:ff' && hostOfMac(p.src) === host),
    );
    if (!got) throw new Error(`${ip}: not answered by ${host} within 30 s`);
  } finally {
    await arping.stop();
    await cap.stop();
  }
}
