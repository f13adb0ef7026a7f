// Stops every server, stub and DynamoDB Local the run started, before phases that bring their own.
import { stopAll } from '../processes.js';
import type { Bench, Phase } from './bench.js';

export async function stopEverything(b: Bench): Promise<void> {
  await stopAll();
  await b.dynamo?.stop();
  b.dynamo = undefined;
}

export const stop: Phase = { title: 'stopping the servers and DynamoDB Local', run: stopEverything };
