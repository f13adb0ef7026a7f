// One change to one item, as the table's stream tells it (src/live/stream/records.ts).
export type { ChangeRecord } from './stream/records.js';
