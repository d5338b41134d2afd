// The shapes the L2 announcer reads, written structurally so that the announcer's pure logic
// depends only on the fields it uses (Kubernetes/Cilium field names), not on a store backend.
// The api package's full objects satisfy these.
import type { ConditionLike } from '../api/index.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | undefined;
}

export interface LabelSelectorLike {
  matchLabels?: Record<string, string> | undefined;
  matchExpressions?: LabelSelectorRequirement[] | undefined;
}

export interface ObjectMetaLike {
  name: string;
  namespace?: string | undefined;
  labels?: Record<string, string> | undefined;
  generation?: number | undefined;
  resourceVersion?: string | undefined;
}

export interface ServiceLike {
  metadata: ObjectMetaLike;
  spec?:
    | {
        externalIPs?: string[] | undefined;
        loadBalancerClass?: string | undefined | null;
      }
    | undefined;
  status?:
    | { loadBalancer?: { ingress?: Array<{ ip?: string | undefined }> | undefined } | undefined }
    | undefined;
}

export type { ConditionLike };

export interface L2PolicyLike {
  metadata: ObjectMetaLike;
  spec?:
    | {
        nodeSelector?: LabelSelectorLike | undefined | null;
        serviceSelector?: LabelSelectorLike | undefined | null;
        loadBalancerIPs?: boolean | undefined;
        externalIPs?: boolean | undefined;
        interfaces?: string[] | undefined;
      }
    | undefined;
  status?: { conditions?: ConditionLike[] | undefined } | undefined;
}

export interface NodeLike {
  metadata: ObjectMetaLike;
}

/** "<namespace>/<name>", the key services are known by in tables and logs. */
export function serviceKey(svc: { metadata: ObjectMetaLike }): string {
  return `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`;
}
