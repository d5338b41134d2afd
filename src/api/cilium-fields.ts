// Field validators the Cilium v2 kinds share: an IP address and a CIDR, each refused with the
// text it got and why (`"10.0.0.0/33": prefix length 33 > 32`), so the error names the field.
import { z } from 'zod';
import { parseAddr, parsePrefix } from '../lib/ip.js';

export const IpString = z.string().superRefine((text, ctx) => {
  if (!parseAddr(text)) ctx.addIssue({ code: 'custom', message: `"${text}" is not an IP address` });
});

export const CidrString = z.string().superRefine((text, ctx) => {
  const parsed = parsePrefix(text);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `"${text}": ${parsed.error}` });
});
