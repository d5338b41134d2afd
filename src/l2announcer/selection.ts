// Policy × service × local node → the services this node runs for, each with the devices it
// would announce on (Cilium's pkg/l2announcer/l2announcer.go, upsertSvc, upsertPolicy, upsertLocalNode). Pure and recomputed from scratch on every change:
// level-triggered, so there is no incremental bookkeeping to drift.
import { serviceSelectorLabels } from '../api/index.js';
import { compileSelector, type LabelMatcher } from './selector.js';
import { type L2PolicyLike, type NodeLike, type ServiceLike, serviceKey } from './types.js';
import { errorMessage } from '../lib/errors.js';

export const L2_ANNOUNCER_CLASS = 'io.cilium/l2-announcer';

export const COND_BAD_NODE_SELECTOR = 'io.cilium/bad-node-selector';
export const COND_BAD_INTERFACE_REGEX = 'io.cilium/bad-interface-regex';
export const COND_BAD_SERVICE_SELECTOR = 'io.cilium/bad-service-selector';
export type PolicyConditionType =
  | typeof COND_BAD_NODE_SELECTOR
  | typeof COND_BAD_INTERFACE_REGEX
  | typeof COND_BAD_SERVICE_SELECTOR;

export interface SelectedPolicy {
  name: string;
  devices: string[];
  loadBalancerIPs: boolean;
  externalIPs: boolean;
}

export interface SelectedService {
  key: string;
  service: ServiceLike;
  policies: SelectedPolicy[];
  /** Union of the policies' devices; empty means the node does not run for the lease. */
  devices: string[];
}

export interface SelectionResult {
  services: Map<string, SelectedService>;
  /**
   * Per policy, the condition types this evaluation reached: an error message, or null when
   * the check passed. Types not reached (a check after a failed or non-matching one) are absent.
   */
  checks: Map<string, Map<PolicyConditionType, string | null>>;
  /** Services matched by a policy that selects no device here: announced nowhere, not elected. */
  withoutDevices: string[];
}

export function lbIngressIPs(svc: ServiceLike): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
}

export function externalIPs(svc: ServiceLike): string[] {
  return svc.spec?.externalIPs ?? [];
}

/** §2.3 steps 1–2: does the service have anything to announce, under a class we accept? */
export function isCandidate(svc: ServiceLike): boolean {
  if (externalIPs(svc).length === 0 && lbIngressIPs(svc).length === 0) return false;
  const cls = svc.spec?.loadBalancerClass;
  return cls === undefined || cls === null || cls === L2_ANNOUNCER_CLASS;
}

/** The service's labels plus the two synthetic ones a serviceSelector may use. */
export function serviceLabels(svc: ServiceLike): Record<string, string> {
  return serviceSelectorLabels(svc.metadata);
}

/** Devices whose names match any of the (unanchored) regexes; all devices when none given. */
export function selectDevices(patterns: string[] | undefined, devices: string[]): string[] {
  if (!patterns || patterns.length === 0) return [...devices];
  const regexes = patterns.map((p) => new RegExp(p));
  return devices.filter((d) => regexes.some((r) => r.test(d)));
}

interface CompiledPolicy extends SelectedPolicy {
  matchService: LabelMatcher;
}

function compilePolicy(
  policy: L2PolicyLike,
  nodeLabels: Record<string, string>,
  devices: string[],
  checks: Map<PolicyConditionType, string | null>,
): CompiledPolicy | undefined {
  const spec = policy.spec ?? {};
  let nodeMatcher: LabelMatcher;
  try {
    nodeMatcher = compileSelector(spec.nodeSelector);
    checks.set(COND_BAD_NODE_SELECTOR, null);
  } catch (err) {
    checks.set(COND_BAD_NODE_SELECTOR, errorMessage(err));
    return undefined;
  }
  if (!nodeMatcher(nodeLabels)) return undefined;
  let selected: string[];
  try {
    selected = selectDevices(spec.interfaces, devices);
    checks.set(COND_BAD_INTERFACE_REGEX, null);
  } catch (err) {
    checks.set(COND_BAD_INTERFACE_REGEX, errorMessage(err));
    return undefined;
  }
  let matchService: LabelMatcher;
  try {
    matchService = compileSelector(spec.serviceSelector);
    checks.set(COND_BAD_SERVICE_SELECTOR, null);
  } catch (err) {
    checks.set(COND_BAD_SERVICE_SELECTOR, errorMessage(err));
    return undefined;
  }
  return {
    name: policy.metadata.name,
    devices: selected,
    loadBalancerIPs: spec.loadBalancerIPs === true,
    externalIPs: spec.externalIPs === true,
    matchService,
  };
}

function policyWants(p: CompiledPolicy, svc: ServiceLike): boolean {
  if (!p.matchService(serviceLabels(svc))) return false;
  return (
    (p.externalIPs && externalIPs(svc).length > 0) || (p.loadBalancerIPs && lbIngressIPs(svc).length > 0)
  );
}

export function selectServices(input: {
  node: NodeLike;
  policies: L2PolicyLike[];
  services: ServiceLike[];
  /** Names of this node's selected devices. */
  devices: string[];
}): SelectionResult {
  const nodeLabels = input.node.metadata.labels ?? {};
  const checks = new Map<string, Map<PolicyConditionType, string | null>>();
  const compiled: CompiledPolicy[] = [];
  for (const policy of input.policies) {
    const c = new Map<PolicyConditionType, string | null>();
    checks.set(policy.metadata.name, c);
    const p = compilePolicy(policy, nodeLabels, input.devices, c);
    if (p) compiled.push(p);
  }
  const services = new Map<string, SelectedService>();
  const withoutDevices: string[] = [];
  for (const svc of input.services) {
    if (!isCandidate(svc)) continue;
    const wanting = compiled.filter((p) => policyWants(p, svc));
    if (wanting.length === 0) continue;
    const key = serviceKey(svc);
    const devices = [...new Set(wanting.flatMap((p) => p.devices))].sort();
    if (devices.length === 0) {
      withoutDevices.push(key);
      continue;
    }
    const policies = wanting.map(({ matchService: _m, ...rest }) => rest);
    services.set(key, { key, service: svc, policies, devices });
  }
  return { services, checks, withoutDevices };
}
