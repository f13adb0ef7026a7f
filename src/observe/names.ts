// Bounded label values for operation names. Clients choose operation names, so a label taken as
// given would let any client (or attacker) create a new time series per request. The first
// `max` distinct names the process sees keep their own label; later new names share "other".
// Real clients send a small fixed set of names (an app's documents), which is admitted on first
// use after each restart; a flood of invented names costs one series, not thousands.

const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export class OperationNames {
  private readonly admitted = new Set<string>();

  constructor(readonly max = 100) {}

  /** The label for an operation name: itself, "anonymous", or "other" once the set is full. */
  label(name: string | undefined | null): string {
    if (!name) return 'anonymous';
    if (this.admitted.has(name)) return name;
    if (!NAME.test(name) || this.admitted.size >= this.max) return 'other';
    this.admitted.add(name);
    return name;
  }
}
