/** The limits procedures enforce on what one request may ask for (the host reads them from its config). */
export interface QueryLimits {
  maxRangeMs: number;
  maxRows: number;
  maxReplay: number;
}
