// 100 short TCP connections from each of several pods at once to one port on a host outside the
// cluster (the masquerading tests' port-collision check): every connection must be answered.
import type { TestNetns } from '../../src/testing/netns.js';

const SERVER =
  "require('net').createServer(s=>s.end('ok\\n')).listen(9000);setTimeout(()=>process.exit(0),15000)";

function client(target: string): string {
  return `const n=require('net');let ok=0,done=0;for(let i=0;i<100;i++){const s=n.connect(9000,'${target}');let d='';s.on('data',x=>d+=x);s.on('close',()=>{if(d==='ok\\n')ok++;if(++done===100){console.log(ok);process.exit(0)}});s.on('error',()=>{});}setTimeout(()=>{console.log(ok);process.exit(1)},10000)`;
}

/** Answered connections per client (100 each when all work), with `server` serving port 9000. */
export async function parallelConnections(
  server: TestNetns,
  target: string,
  clients: TestNetns[],
): Promise<number[]> {
  const serving = server.execAsync('node', ['-e', SERVER], 20_000);
  await new Promise((r) => setTimeout(r, 600));
  const counts = await Promise.all(clients.map((c) => c.execAsync('node', ['-e', client(target)], 15_000)));
  await serving;
  return counts.map((r) => Number(r.stdout.trim()));
}
