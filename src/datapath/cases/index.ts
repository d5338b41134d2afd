// Every datapath case the runner knows. Add a file per feature and list it here.
import type { DatapathCase } from '../testing/case.js';
import { l2AnnouncementCases } from './l2-announcement.js';

export const allCases: DatapathCase[] = [...l2AnnouncementCases];
